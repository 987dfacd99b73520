using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Sources.Redis;
using Microsoft.Extensions.Configuration;

namespace Lifeboat.Tests.Configuration;

/// <summary>What a redis: entry must say for the source it configures to log in.</summary>
public sealed class RedisSectionTests
{
    private static IReadOnlyList<ISourceSettings> Read(params (string Key, string Value)[] file)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(file.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)))
            .Build();
        var values = new ConfigValues(configuration, new ConfigurationBuilder().Build(), "test.yaml", "/base");
        return SourceEntries.Read(values, RedisSection.Declaration);
    }

    [Fact]
    public void A_user_without_a_password_variable_is_a_configuration_error_naming_both_keys()
    {
        var error = Assert.Throws<LifeboatException>(() => Read(("redis:0:name", "cache"), ("redis:0:user", "backup")));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal("redis[0].user in test.yaml needs redis[0].passwordEnv: an ACL user logs in with a password", error.Message);
    }

    [Fact]
    public void A_client_certificate_without_tls_is_a_configuration_error()
    {
        var error = Assert.Throws<LifeboatException>(() => Read(("redis:0:name", "cache"), ("redis:0:certFile", "client.crt"), ("redis:0:keyFile", "client.key")));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal("redis[0].certFile in test.yaml needs redis[0].tls: true: a client certificate is presented in a TLS handshake", error.Message);
    }

    [Fact]
    public void A_key_file_without_its_certificate_is_a_configuration_error()
    {
        var error = Assert.Throws<LifeboatException>(() => Read(("redis:0:name", "cache"), ("redis:0:tls", "true"), ("redis:0:keyFile", "client.key")));

        Assert.Equal("redis[0].keyFile in test.yaml needs redis[0].certFile: a client certificate goes with its private key", error.Message);
    }

    [Fact]
    public void A_client_certificate_and_its_key_bind_as_paths_from_the_configuration_s_directory()
    {
        var entry = Assert.Single(Read(("redis:0:name", "cache"), ("redis:0:tls", "true"), ("redis:0:certFile", "client.crt"), ("redis:0:keyFile", "client.key")));

        var settings = Assert.IsType<RedisSettings>(entry);
        Assert.Equal(("/base/client.crt", "/base/client.key"), (settings.CertFile, settings.KeyFile));
    }

    [Fact]
    public void A_user_with_a_password_variable_binds()
    {
        var entry = Assert.Single(Read(("redis:0:name", "cache"), ("redis:0:user", "backup"), ("redis:0:passwordEnv", "REDIS_BACKUP_PASSWORD")));

        var settings = Assert.IsType<RedisSettings>(entry);
        Assert.Equal("backup", settings.User);
        Assert.NotNull(settings.Password);
    }
}
