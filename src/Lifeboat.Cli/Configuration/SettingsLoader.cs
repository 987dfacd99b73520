using System.Globalization;
using Microsoft.Extensions.Configuration;
using Lifeboat.Storage;

namespace Lifeboat.Cli.Configuration;

/// <summary>
/// Finds, reads and strictly validates the configuration: --config, else $LIFEBOAT_CONFIG, else ./lifeboat.yaml,
/// else defaults; every key may be overridden by LIFEBOAT_section__key. A typo is an error, never a silent default.
/// </summary>
internal static partial class SettingsLoader
{
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex EnvironmentVariableName();

    private const string EnvironmentPrefix = "LIFEBOAT_";
    private const string DefaultFile = "lifeboat.yaml";

    /// <summary>Loads the settings; <paramref name="explicitPath"/> is the --config value.</summary>
    public static LifeboatSettings Load(string? explicitPath)
    {
        var path = ChoosePath(explicitPath);
        var origin = path ?? "defaults";
        var baseDirectory = path is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(path)!;
        var file = path is null ? new ConfigurationBuilder().Build() : ReadFile(path);
        var environment = new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).Build();
        RejectUnknownKeys(file, path ?? "defaults", isEnvironment: false);
        RejectUnknownKeys(environment, "the environment", isEnvironment: true);

        var merged = new ConfigurationBuilder().AddConfiguration(file).AddConfiguration(environment).Build();
        var reader = new SettingsReader(merged, environment, origin, baseDirectory);
        return new LifeboatSettings(origin, reader.Repository(), reader.PostgresSources());
    }

    private static string? ChoosePath(string? explicitPath)
    {
        var chosen = explicitPath ?? Environment.GetEnvironmentVariable("LIFEBOAT_CONFIG");
        if (string.IsNullOrEmpty(chosen))
            return File.Exists(DefaultFile) ? Path.GetFullPath(DefaultFile) : null;
        if (!File.Exists(chosen))
        {
            throw new LifeboatException(
                $"configuration file {chosen} does not exist",
                explicitPath is null ? "fix LIFEBOAT_CONFIG or unset it" : "check the --config path",
                FailureKind.Usage);
        }

        return Path.GetFullPath(chosen);
    }

    private static IConfigurationRoot ReadFile(string path)
    {
        try
        {
            if (YamlEmptyValues.FindFirst(path) is { } empty)
            {
                throw new LifeboatException(
                    $"{empty} in {path} is empty",
                    "give it a value or remove the key to use the default", FailureKind.Usage);
            }

            return new ConfigurationBuilder().AddYamlFile(path, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or YamlDotNet.Core.YamlException)
        {
            throw new LifeboatException($"configuration file {path} is not valid YAML: {e.Message}", "fix the file's syntax", FailureKind.Usage, e);
        }
    }

    private static void RejectUnknownKeys(IConfiguration configuration, string origin, bool isEnvironment)
    {
        // Leaves first, so a misspelt section is reported through a full key that can be matched to a known one.
        foreach (var (key, value) in configuration.AsEnumerable().OrderBy(e => e.Value is null))
        {
            // Other LIFEBOAT_ variables (LIFEBOAT_CONFIG) are not overrides; overrides always have a section.
            if (isEnvironment && !key.Contains(':', StringComparison.Ordinal))
                continue;
            if (ConfigSchema.IsKnown(key, isLeaf: value is not null))
                continue;
            var where = isEnvironment ? $"environment variable {EnvironmentPrefix}{key.Replace(":", "__", StringComparison.Ordinal)}" : origin;
            var suggestion = ConfigSchema.Suggest(key);
            throw new LifeboatException(
                $"unknown configuration key '{ConfigSchema.Display(key)}' in {where}",
                suggestion is null ? "remove it; see docs/CONFIGURATION.md for the keys Lifeboat knows" : $"did you mean '{suggestion}'?",
                FailureKind.Usage);
        }
    }

    /// <summary>Reads typed values out of the merged configuration, naming key and origin in every error.</summary>
    private sealed class SettingsReader(IConfiguration merged, IConfiguration environment, string fileOrigin, string baseDirectory)
    {
        public RepositorySettings Repository()
        {
            var url = ResolveLocation(String("repository:url") ?? "./lifeboat-repo");
            var level = Int("repository:compression:level", 3, 0, 19);
            var s3 = new S3Settings(
                String("repository:s3:endpoint"),
                String("repository:s3:region") ?? "us-east-1",
                Secret("repository:s3:accessKeyEnv", "AWS_ACCESS_KEY_ID"),
                Secret("repository:s3:secretKeyEnv", "AWS_SECRET_ACCESS_KEY"),
                Int("repository:s3:partSizeMiB", S3Location.DefaultPartSize / (1024 * 1024), 5, 512));
            return new RepositorySettings(url, s3, Encryption(), level);
        }

        private EncryptionSettings Encryption()
        {
            var keyFile = String("repository:encryption:keyFile");
            var passphrase = String("repository:encryption:passphraseEnv");
            if (keyFile is not null && passphrase is not null)
            {
                throw new LifeboatException(
                    $"repository.encryption in {Origin("repository:encryption:passphraseEnv")} sets both keyFile and passphraseEnv",
                    "keep one of them", FailureKind.Usage);
            }

            if (passphrase is not null)
                return new EncryptionSettings(null, Secret("repository:encryption:passphraseEnv", passphrase));
            return new EncryptionSettings(Path.GetFullPath(keyFile ?? "./lifeboat-repo.key", baseDirectory), null);
        }

        public IReadOnlyList<PostgresSettings> PostgresSources()
        {
            var list = new List<PostgresSettings>();
            foreach (var item in merged.GetSection("postgres").GetChildren().OrderBy(c => Index(c.Key)))
            {
                var prefix = $"postgres:{item.Key}:";
                var name = Required(prefix + "name");
                var duplicate = list.FindIndex(p => p.Name == name);
                if (duplicate >= 0)
                {
                    throw new LifeboatException(
                        $"two postgres sources are named '{name}' in {Origin(prefix + "name")} (postgres[{duplicate}] and postgres[{item.Key}])",
                        "give each source its own name", FailureKind.Usage);
                }

                var passwordEnv = String(prefix + "passwordEnv");
                list.Add(new PostgresSettings(
                    name,
                    String(prefix + "host") ?? "localhost",
                    Int(prefix + "port", 5432, 1, 65535),
                    String(prefix + "database") ?? name,
                    Required(prefix + "user"),
                    passwordEnv is null ? null : Secret(prefix + "passwordEnv", passwordEnv),
                    String(prefix + "binDir") is { } bin ? Path.GetFullPath(bin, baseDirectory) : null,
                    String(prefix + "postRestore")));
            }

            return list;
        }

        private string ResolveLocation(string url)
        {
            if (url.StartsWith("s3://", StringComparison.Ordinal) || url.StartsWith("file://", StringComparison.Ordinal))
                return url;
            return Path.GetFullPath(url, baseDirectory);
        }

        private int Index(string key) =>
            int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : throw new LifeboatException(
                $"'{key}' in {Origin("postgres:" + key)} is not a list position of postgres", "number list items from 0: LIFEBOAT_postgres__0__host", FailureKind.Usage);

        // A key that is present but empty is a mistake, never a silent default: 'url: ""' must not back up to ./lifeboat-repo.
        private string? String(string key)
        {
            var value = merged[key];
            if (value is null)
                return null;
            if (value.Trim().Length == 0)
            {
                throw new LifeboatException(
                    $"{ConfigSchema.Display(key)} in {Origin(key)} is empty",
                    "give it a value or remove the key to use the default", FailureKind.Usage);
            }

            return value;
        }

        private string Required(string key) =>
            String(key) ?? throw new LifeboatException($"{ConfigSchema.Display(key)} is required in {Origin(key)}", "add it", FailureKind.Usage);

        private SecretReference Secret(string key, string defaultVariable)
        {
            var variable = String(key) ?? defaultVariable;
            // The value is not echoed: someone may have pasted the secret itself here.
            if (!EnvironmentVariableName().IsMatch(variable))
            {
                throw new LifeboatException(
                    $"{ConfigSchema.Display(key)} in {Origin(key)} must name an environment variable (letters, digits and '_'); its value is not shown in case it is a secret",
                    "put the secret in an environment variable and name that variable here", FailureKind.Usage);
            }

            return new SecretReference(variable, ConfigSchema.Display(key), Origin(key));
        }

        private int Int(string key, int fallback, int min, int max)
        {
            var text = String(key);
            if (text is null)
                return fallback;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
                return value;
            throw new LifeboatException(
                $"{ConfigSchema.Display(key)} in {Origin(key)} must be a whole number from {min} to {max}, not '{text}'",
                "fix the value", FailureKind.Usage);
        }

        private string Origin(string key) =>
            environment[key] is not null ? $"environment variable LIFEBOAT_{key.Replace(":", "__", StringComparison.Ordinal)}" : fileOrigin;
    }
}
