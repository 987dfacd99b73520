using System.Globalization;
using System.Text.RegularExpressions;

namespace Lifeboat.Cli.Configuration;

/// <summary>
/// Typed reads of one section or one list entry through the key declarations: the default, the range and the
/// error texts come from the <see cref="ConfigKey"/>, never from the caller.
/// </summary>
internal sealed partial class SectionValues(ConfigValues values, string prefix)
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentVariableName();

    /// <summary>Where these values are, as users write it: repository or postgres[0].</summary>
    public string DisplayName => ConfigSchema.Display(prefix.TrimEnd(':'));

    /// <summary>Where the key's value came from, for messages.</summary>
    public string Origin(ConfigKey key) => values.Origin(FullKey(key));

    /// <summary>True when the key is given (and not empty).</summary>
    public bool IsSet(ConfigKey key) => Raw(key) is not null;

    /// <summary>A text or URL key, else its default, else null.</summary>
    public string? OptionalText(ConfigKey key)
    {
        Expect(key, ConfigValueType.Text, ConfigValueType.Url);
        return Raw(key) ?? key.Default;
    }

    /// <summary>A text or URL key that is required or has a default.</summary>
    public string Text(ConfigKey key) => OptionalText(key) ?? throw Missing(key);

    /// <summary>A whole number within the declared range, else the default.</summary>
    public int Int(ConfigKey key)
    {
        Expect(key, ConfigValueType.Int);
        var text = Raw(key) ?? key.Default ?? throw Missing(key);
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= key.Min && value <= key.Max)
            return value;
        throw new LifeboatException(
            $"{Display(key)} in {Origin(key)} must be a whole number from {key.Min} to {key.Max}, not '{text}'",
            "fix the value", FailureKind.Usage);
    }

    /// <summary>true or false, else the default.</summary>
    public bool Bool(ConfigKey key)
    {
        Expect(key, ConfigValueType.Bool);
        var text = Raw(key) ?? key.Default ?? throw Missing(key);
        if (bool.TryParse(text, out var value))
            return value;
        throw new LifeboatException($"{Display(key)} in {Origin(key)} must be true or false, not '{text}'", "fix the value", FailureKind.Usage);
    }

    /// <summary>One of a choice key's values, else its default.</summary>
    public string Choice(ConfigKey key)
    {
        Expect(key, ConfigValueType.Choice);
        var text = Raw(key) ?? key.Default ?? throw Missing(key);
        if (key.Choices.Contains(text, StringComparer.Ordinal))
            return text;
        throw new LifeboatException(
            $"{Display(key)} in {Origin(key)} must be one of {string.Join(", ", key.Choices)}, not '{text}'", "fix the value", FailureKind.Usage);
    }

    /// <summary>The environment variable a secret-reference key names, else its default, else null.</summary>
    public SecretReference? OptionalSecret(ConfigKey key)
    {
        Expect(key, ConfigValueType.SecretReference);
        var written = Raw(key);
        var variable = written ?? key.Default;
        if (variable is null)
            return null;
        // The value is not echoed: someone may have pasted the secret itself here.
        if (!EnvironmentVariableName().IsMatch(variable))
        {
            throw new LifeboatException(
                $"{Display(key)} in {Origin(key)} must name an environment variable (letters, digits and '_'); its value is not shown in case it is a secret",
                "put the secret in an environment variable and name that variable here", FailureKind.Usage);
        }

        return new SecretReference(variable, Display(key), Origin(key)) { IsDeclaredDefault = written is null };
    }

    /// <summary>A secret-reference key that is required or has a default.</summary>
    public SecretReference Secret(ConfigKey key) => OptionalSecret(key) ?? throw Missing(key);

    /// <summary>A path resolved against the configuration file's directory, else the default resolved so, else null.</summary>
    public string? OptionalPath(ConfigKey key)
    {
        Expect(key, ConfigValueType.Path);
        var path = Raw(key) ?? key.Default;
        return path is null ? null : System.IO.Path.GetFullPath(path, values.BaseDirectory);
    }

    /// <summary>A path key that is required or has a default.</summary>
    public string Path(ConfigKey key) => OptionalPath(key) ?? throw Missing(key);

    /// <summary>An s3:// or file:// URL as written, or a path resolved against the configuration file's directory.</summary>
    public string UrlOrPath(ConfigKey key)
    {
        Expect(key, ConfigValueType.UrlOrPath);
        var location = Raw(key) ?? key.Default ?? throw Missing(key);
        if (location.StartsWith("s3://", StringComparison.Ordinal) || location.StartsWith("file://", StringComparison.Ordinal))
            return location;
        return System.IO.Path.GetFullPath(location, values.BaseDirectory);
    }

    // A key that is present but empty is a mistake, never a silent default: 'url: ""' must not back up to ./lifeboat-repo.
    private string? Raw(ConfigKey key)
    {
        var value = values[FullKey(key)];
        if (value is null)
            return null;
        if (value.Trim().Length == 0)
        {
            throw new LifeboatException(
                $"{Display(key)} in {Origin(key)} is empty",
                "give it a value or remove the key to use the default", FailureKind.Usage);
        }

        return value;
    }

    private Exception Missing(ConfigKey key)
    {
        if (key.Required)
            return new LifeboatException($"{Display(key)} is required in {Origin(key)}", "add it", FailureKind.Usage);
        return new InvalidOperationException($"configuration key {key.Name} is read as always present, but is declared neither required nor with a default");
    }

    private static void Expect(ConfigKey key, params ConfigValueType[] types)
    {
        if (!types.Contains(key.Type))
            throw new InvalidOperationException($"configuration key {key.Name} is declared as {key.Type}, but read as {string.Join(" or ", types)}");
    }

    private string FullKey(ConfigKey key) => prefix + key.ConfigurationName;

    private string Display(ConfigKey key) => ConfigSchema.Display(FullKey(key));
}
