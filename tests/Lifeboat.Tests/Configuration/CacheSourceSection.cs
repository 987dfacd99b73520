using Lifeboat.Cli.Configuration;

namespace Lifeboat.Tests.Configuration;

/// <summary>A source kind that exists only in tests, declared the way a new source is: keys, a kind, a record.</summary>
internal static class CacheSourceSection
{
    private static readonly ConfigKey Name = new("name", ConfigValueType.Text, "name") { Required = true };
    private static readonly ConfigKey Host = new("host", ConfigValueType.Text, "host") { Default = "localhost" };
    private static readonly ConfigKey Port = new("port", ConfigValueType.Int, "port") { Default = "6379", Min = 1, Max = 65535 };
    private static readonly ConfigKey PasswordEnv = new("passwordEnv", ConfigValueType.SecretReference, "password");
    private static readonly ConfigKey Tls = new("tls", ConfigValueType.Bool, "TLS") { Default = "false" };

    public static readonly SourceSection Kind = new(
        "cache",
        new ConfigSection("caches", IsList: true, [Name, Host, Port, PasswordEnv, Tls]),
        entry => new CacheSettings(entry.Text(Name), entry.Text(Host), entry.Int(Port), entry.OptionalSecret(PasswordEnv), entry.Bool(Tls)));
}

internal sealed record CacheSettings(string Name, string Host, int Port, SecretReference? Password, bool Tls) : ISourceSettings;
