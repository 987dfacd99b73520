namespace Lifeboat.Cli.Configuration;

/// <summary>What a configuration key holds; it decides how the value is checked and how the docs describe it.</summary>
internal enum ConfigValueType
{
    /// <summary>Free text.</summary>
    Text,

    /// <summary>A whole number within the key's range.</summary>
    Int,

    /// <summary>true or false.</summary>
    Bool,

    /// <summary>The name of an environment variable that holds a secret; the secret itself never appears in the configuration.</summary>
    SecretReference,

    /// <summary>A file or directory; relative to the configuration file.</summary>
    Path,

    /// <summary>A URL, taken as written.</summary>
    Url,

    /// <summary>An s3:// or file:// URL, else a path relative to the configuration file.</summary>
    UrlOrPath,

    /// <summary>One of the key's <see cref="ConfigKey.Choices"/>, spelt as declared.</summary>
    Choice,
}
