using System.Text;
using System.Text.RegularExpressions;

namespace Lifeboat.Processes;

/// <summary>
/// A child's start as a line one could paste into a shell: the variables it is given, the program, the arguments,
/// quoted where needed. Secrets are masked: variables whose names say they hold one, a password in a URL, and
/// a password= setting in a connection string (Lifeboat passes passwords by environment, but a configured
/// command may not).
/// </summary>
internal static partial class ChildCommandLine
{
    /// <summary>What a masked secret shows instead.</summary>
    public const string Mask = "***";

    private static readonly string[] SecretNameParts = ["PASS", "SECRET", "TOKEN", "KEY", "AUTH", "CREDENTIAL"];

    /// <summary>The line for <paramref name="path"/> run with <paramref name="arguments"/> and the variables of <paramref name="environment"/> it sets.</summary>
    public static string Format(string path, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var words = environment
            .Where(v => v.Value is not null)
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => $"{v.Key}={(IsSecretName(v.Key) ? Mask : Quote(MaskInline(v.Value!)))}")
            .Append(Quote(path))
            .Concat(arguments.Select(a => Quote(MaskInline(a))));
        return string.Join(' ', words);
    }

    /// <summary>True when a variable called <paramref name="name"/> holds a secret by its name (PGPASSWORD, AWS_SECRET_ACCESS_KEY).</summary>
    public static bool IsSecretName(string name) =>
        SecretNameParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));

    private static string MaskInline(string text)
    {
        text = UrlPassword().Replace(text, m => m.Groups["before"].Value + Mask + "@");
        return PasswordSetting().Replace(text, m => m.Groups["key"].Value + Mask);
    }

    // Single quotes keep everything literal in a POSIX shell; a single quote itself is closed, escaped and reopened.
    private static string Quote(string word)
    {
        if (word.Length > 0 && word.All(IsPlain))
            return word;
        var quoted = new StringBuilder("'");
        quoted.Append(word.Replace("'", "'\\''", StringComparison.Ordinal));
        return quoted.Append('\'').ToString();
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c, StringComparison.Ordinal);

    // scheme://user:password@host
    [GeneratedRegex(@"(?<before>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    // password=secret, password='se cret' (libpq keyword/value connection strings)
    [GeneratedRegex(@"(?<key>\bpass(word)?\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s;]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordSetting();
}
