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
    public void A_user_with_a_password_variable_binds()
    {
        var entry = Assert.Single(Read(("redis:0:name", "cache"), ("redis:0:user", "backup"), ("redis:0:passwordEnv", "REDIS_BACKUP_PASSWORD")));

        var settings = Assert.IsType<RedisSettings>(entry);
        Assert.Equal("backup", settings.User);
        Assert.NotNull(settings.Password);
    }
}
