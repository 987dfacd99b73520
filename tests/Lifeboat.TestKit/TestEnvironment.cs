using System.Globalization;

namespace Lifeboat.TestKit;

/// <summary>The one reader of the test environment: where the real test servers are, and the tests' own overrides.</summary>
/// <remarks>A required variable that is missing fails the test; no test skips because a server is not configured.</remarks>
public static class TestEnvironment
{
    /// <summary>The value of a required variable; throws, failing the test, when it is unset or empty.</summary>
    public static string Get(string name) =>
        Optional(name) ?? throw new InvalidOperationException(
            $"{name} is not set: start the test servers with 'scripts/devstack.sh start' and 'source /var/tmp/lifeboat-devstack/env.sh', or run 'scripts/test.sh'");

    /// <summary>The value of an optional variable (an override), or null when it is unset or empty.</summary>
    public static string? Optional(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    /// <summary>Host of the devstack PostgreSQL server.</summary>
    public static string PgHost => Get("LIFEBOAT_TEST_PG_HOST");

    /// <summary>Port of the devstack PostgreSQL server.</summary>
    public static int PgPort => Port("LIFEBOAT_TEST_PG_PORT");

    /// <summary>The devstack PostgreSQL user (a superuser).</summary>
    public static string PgUser => Get("LIFEBOAT_TEST_PG_USER");

    /// <summary>The devstack PostgreSQL user's password.</summary>
    public static string PgPassword => Get("LIFEBOAT_TEST_PG_PASSWORD");

    /// <summary>The variable holding <see cref="PgPassword"/>, for configs that name secrets by reference.</summary>
    public const string PgPasswordVariable = "LIFEBOAT_TEST_PG_PASSWORD";

    /// <summary>Host of the devstack Redis server.</summary>
    public static string RedisHost => Get("LIFEBOAT_TEST_REDIS_HOST");

    /// <summary>Port of the devstack Redis server.</summary>
    public static int RedisPort => Port("LIFEBOAT_TEST_REDIS_PORT");

    /// <summary>The devstack S3 endpoint URL.</summary>
    public static string S3Endpoint => Get("LIFEBOAT_TEST_S3_ENDPOINT");

    /// <summary>The devstack S3 access key.</summary>
    public static string S3AccessKey => Get(S3AccessKeyVariable);

    /// <summary>The variable holding <see cref="S3AccessKey"/>.</summary>
    public const string S3AccessKeyVariable = "LIFEBOAT_TEST_S3_ACCESS_KEY";

    /// <summary>The devstack S3 secret key.</summary>
    public static string S3SecretKey => Get(S3SecretKeyVariable);

    /// <summary>The variable holding <see cref="S3SecretKey"/>.</summary>
    public const string S3SecretKeyVariable = "LIFEBOAT_TEST_S3_SECRET_KEY";

    /// <summary>The devstack S3 signing region; us-east-1 when unset.</summary>
    public static string S3Region => Optional("LIFEBOAT_TEST_S3_REGION") ?? "us-east-1";

    /// <summary>The published lifeboat executable scripts/test.sh names, or null to use the build output.</summary>
    public static string? PublishedCli => Optional("LIFEBOAT_TEST_CLI");

    /// <summary>Where PostgreSQL's server binaries (initdb, pg_ctl, postgres) are; LIFEBOAT_TEST_PG_BIN overrides.</summary>
    public static string? PgBinDirectory => Optional("LIFEBOAT_TEST_PG_BIN");

    /// <summary>The redis-server program private Redis servers run; LIFEBOAT_TEST_REDIS_SERVER overrides the one on PATH.</summary>
    public static string RedisServerProgram => Optional("LIFEBOAT_TEST_REDIS_SERVER") ?? "redis-server";

    /// <summary>Where private test servers keep their files; LIFEBOAT_TEST_SERVERS_DIR overrides.</summary>
    public static string PrivateServersRoot => Optional("LIFEBOAT_TEST_SERVERS_DIR") ?? "/var/tmp/lifeboat-test-servers";

    /// <summary>A name unique to this test run and call, safe for databases, buckets and prefixes.</summary>
    public static string UniqueName(string stem) =>
        $"{stem}_{Guid.NewGuid().ToString("N")[..10]}".ToLowerInvariant();

    private static int Port(string name) =>
        int.TryParse(Get(name), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new InvalidOperationException($"{name} must be a TCP port number, not '{Get(name)}'");
}
