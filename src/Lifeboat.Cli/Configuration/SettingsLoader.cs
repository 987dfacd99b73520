using Microsoft.Extensions.Configuration;

namespace Lifeboat.Cli.Configuration;

/// <summary>
/// Finds, reads and strictly validates the configuration: --config, else $LIFEBOAT_CONFIG, else ./lifeboat.yaml,
/// else defaults; every key may be overridden by LIFEBOAT_section__key. A typo is an error, never a silent default.
/// </summary>
internal static class SettingsLoader
{
    private const string DefaultFile = "lifeboat.yaml";

    /// <summary>Loads the settings; <paramref name="explicitPath"/> is the --config value.</summary>
    public static LifeboatSettings Load(string? explicitPath)
    {
        var path = ChoosePath(explicitPath);
        var origin = path ?? "defaults";
        var baseDirectory = path is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(path)!;
        var file = path is null ? new ConfigurationBuilder().Build() : ReadFile(path);
        var environment = new ConfigurationBuilder().AddEnvironmentVariables(ConfigValues.EnvironmentPrefix).Build();
        RejectUnknownKeys(file, origin, isEnvironment: false);
        RejectUnknownKeys(environment, "the environment", isEnvironment: true);

        var merged = new ConfigurationBuilder().AddConfiguration(file).AddConfiguration(environment).Build();
        var values = new ConfigValues(merged, environment, origin, baseDirectory);
        var repository = RepositorySection.Bind(values.Section(RepositorySection.Section));
        var sources = ConfigSchema.Sources.SelectMany(kind => SourceEntries.Read(values, kind)).ToList();
        return new LifeboatSettings(origin, repository, sources);
    }

    private static string? ChoosePath(string? explicitPath)
    {
        var chosen = explicitPath ?? Environment.GetEnvironmentVariable("LIFEBOAT_CONFIG");
        if (string.IsNullOrEmpty(chosen))
            return File.Exists(DefaultFile) ? Path.GetFullPath(DefaultFile) : null;
        if (Directory.Exists(chosen))
            throw new LifeboatException($"configuration file {chosen} is a directory", "name the YAML file in it", FailureKind.Usage);
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
            if (YamlEmptyValues.FindFirst(YamlSyntax.Load(path)) is { } empty)
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
        catch (UnauthorizedAccessException e)
        {
            // Worded here: this build keeps the runtime's resource keys, not its messages.
            throw new LifeboatException($"configuration file {path} cannot be read: permission denied", "make it readable by the user lifeboat runs as", FailureKind.Usage, e);
        }
        catch (IOException e)
        {
            throw new LifeboatException($"configuration file {path} cannot be read: {e.Message}", "check the file and the disk it is on", FailureKind.Usage, e);
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
            var where = isEnvironment ? $"environment variable {ConfigValues.VariableFor(key)}" : origin;
            if (ConfigSchema.ListWithBadPosition(key) is { } list)
                throw NotAListPosition(key, list, where, isEnvironment);
            if (ConfigSchema.IsKnown(key, isLeaf: value is not null))
                continue;
            var suggestion = KeySuggestion.For(key);
            throw new LifeboatException(
                $"unknown configuration key '{ConfigSchema.Display(key)}' in {where}",
                suggestion is null ? "remove it; see docs/CONFIGURATION.md for the keys Lifeboat knows" : $"did you mean '{suggestion}'?",
                FailureKind.Usage);
        }
    }

    private static LifeboatException NotAListPosition(string key, ConfigSection list, string where, bool isEnvironment)
    {
        var segments = key.Split(':');
        var hint = isEnvironment
            ? $"number list items from 0: {ConfigValues.VariableFor(string.Join(':', [list.Name, "0", .. segments[2..]]))}"
            : $"write {list.Name} as a list, each entry starting with '- name:'";
        return new LifeboatException($"'{segments[1]}' in {where} is not a list position of {list.Name}", hint, FailureKind.Usage);
    }
}
