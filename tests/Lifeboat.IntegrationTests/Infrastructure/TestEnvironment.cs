namespace Lifeboat.IntegrationTests.Infrastructure;

/// <summary>Where the real test servers are; missing settings fail the test instead of skipping it.</summary>
public static class TestEnvironment
{
    public static string Get(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: start the test servers with 'scripts/devstack.sh start' and 'source /var/tmp/lifeboat-devstack/env.sh', or run 'scripts/test.sh'");

    public static string PgHost => Get("LIFEBOAT_TEST_PG_HOST");

    public static int PgPort => int.Parse(Get("LIFEBOAT_TEST_PG_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    public static string PgUser => Get("LIFEBOAT_TEST_PG_USER");

    public static string PgPassword => Get("LIFEBOAT_TEST_PG_PASSWORD");

    public static string S3Endpoint => Get("LIFEBOAT_TEST_S3_ENDPOINT");

    public static string S3AccessKey => Get("LIFEBOAT_TEST_S3_ACCESS_KEY");

    public static string S3SecretKey => Get("LIFEBOAT_TEST_S3_SECRET_KEY");

    public static string S3Region => Environment.GetEnvironmentVariable("LIFEBOAT_TEST_S3_REGION") ?? "us-east-1";

    /// <summary>A name unique to this test run and call, safe for databases, buckets and prefixes.</summary>
    public static string UniqueName(string stem) =>
        $"{stem}_{Guid.NewGuid().ToString("N")[..10]}".ToLowerInvariant();
}
