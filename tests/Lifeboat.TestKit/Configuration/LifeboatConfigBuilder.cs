using System.Globalization;

namespace Lifeboat.TestKit.Configuration;

/// <summary>Writes a lifeboat.yaml from typed calls, with the key names docs/CONFIGURATION.md gives.</summary>
/// <remarks>
/// Tests of bad configuration add what no typed call writes with <see cref="Set"/>: a misspelled key, a value
/// of the wrong type, an empty value. Later calls win over earlier ones for the same key.
/// </remarks>
public sealed class LifeboatConfigBuilder
{
    private readonly ConfigMap _root = new();

    /// <summary>repository.url: an s3:// URL, a file:// URL or a plain path.</summary>
    public LifeboatConfigBuilder RepositoryUrl(string url) => Set("repository.url", url);

    /// <summary>repository.s3.*: the endpoint, region and the variables holding the access and secret keys.</summary>
    public LifeboatConfigBuilder S3(string endpoint, string region, string accessKeyEnv, string secretKeyEnv) =>
        Set("repository.s3.endpoint", endpoint)
            .Set("repository.s3.region", region)
            .Set("repository.s3.accessKeyEnv", accessKeyEnv)
            .Set("repository.s3.secretKeyEnv", secretKeyEnv);

    /// <summary>repository.compression.level.</summary>
    public LifeboatConfigBuilder CompressionLevel(int level) => Set("repository.compression.level", Number(level));

    /// <summary>repository.encryption.keyFile, replacing a passphraseEnv set before (both at once is an error).</summary>
    public LifeboatConfigBuilder KeyFile(string path) =>
        Remove("repository.encryption.passphraseEnv").Set("repository.encryption.keyFile", path);

    /// <summary>repository.encryption.passphraseEnv, replacing a keyFile set before (both at once is an error).</summary>
    public LifeboatConfigBuilder PassphraseEnv(string variable) =>
        Remove("repository.encryption.keyFile").Set("repository.encryption.passphraseEnv", variable);

    /// <summary>Appends a source to the postgres list, writing only the members it sets.</summary>
    public LifeboatConfigBuilder Postgres(PostgresSourceConfig source)
    {
        var at = $"postgres[{(_root.Get("postgres") as ConfigList)?.Items.Count ?? 0}]";
        Set($"{at}.name", source.Name);
        SetIfGiven($"{at}.host", source.Host);
        SetIfGiven($"{at}.port", source.Port is { } port ? Number(port) : null);
        SetIfGiven($"{at}.database", source.Database);
        SetIfGiven($"{at}.user", source.User);
        SetIfGiven($"{at}.passwordEnv", source.PasswordEnv);
        SetIfGiven($"{at}.binDir", source.BinDir);
        SetIfGiven($"{at}.postRestore", source.PostRestore);
        SetIfGiven($"{at}.sslMode", source.SslMode);
        return SetIfGiven($"{at}.sslRootCert", source.SslRootCert);
    }

    /// <summary>Writes any key, known or not, as error messages name it (postgres[0].port); null writes it with no value.</summary>
    public LifeboatConfigBuilder Set(string keyPath, string? value)
    {
        var steps = ConfigKeyPath.Parse(keyPath);
        ConfigNode parent = _root;
        for (var i = 0; i < steps.Count - 1; i++)
            parent = ChildContainer(parent, steps[i], steps[i + 1], keyPath);
        Put(parent, steps[^1], new ConfigScalar(value));
        return this;
    }

    /// <summary>Leaves a key out of the file again; nothing happens when it is not there.</summary>
    public LifeboatConfigBuilder Remove(string keyPath)
    {
        var steps = ConfigKeyPath.Parse(keyPath);
        ConfigNode? parent = _root;
        for (var i = 0; i < steps.Count - 1 && parent is not null; i++)
            parent = Get(parent, steps[i]);
        if (parent is ConfigMap map && steps[^1].Name is { } name)
            map.Remove(name);
        return this;
    }

    /// <summary>The file's text.</summary>
    public string ToYaml() => ConfigYamlWriter.Write(_root);

    /// <summary>Writes the file to <paramref name="path"/> and returns that path.</summary>
    public string WriteTo(string path)
    {
        File.WriteAllText(path, ToYaml());
        return path;
    }

    private LifeboatConfigBuilder SetIfGiven(string keyPath, string? value) => value is null ? this : Set(keyPath, value);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static ConfigNode ChildContainer(ConfigNode parent, ConfigKeyStep step, ConfigKeyStep next, string keyPath)
    {
        var child = Get(parent, step);
        if (next.IsIndex ? child is ConfigList : child is ConfigMap)
            return child!;
        if (child is not null and not ConfigScalar)
            throw new ArgumentException($"'{keyPath}' goes {(next.IsIndex ? "by index into a mapping" : "by name into a list")}", nameof(keyPath));
        ConfigNode container = next.IsIndex ? new ConfigList() : new ConfigMap();
        Put(parent, step, container);
        return container;
    }

    private static ConfigNode? Get(ConfigNode parent, ConfigKeyStep step) => parent switch
    {
        ConfigMap map when step.Name is { } name => map.Get(name),
        ConfigList list when step.IsIndex => list.Get(step.Index),
        _ => null,
    };

    private static void Put(ConfigNode parent, ConfigKeyStep step, ConfigNode value)
    {
        switch (parent)
        {
            case ConfigMap map when step.Name is { } name:
                map.Put(name, value);
                break;
            case ConfigList list when step.IsIndex:
                list.Put(step.Index, value);
                break;
            default:
                throw new ArgumentException($"cannot put {(step.IsIndex ? $"[{step.Index}]" : step.Name)} into a {(parent is ConfigList ? "list" : "mapping")}");
        }
    }
}
