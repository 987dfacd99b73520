using System.Text;
using System.Text.RegularExpressions;

namespace Lifeboat.Processes;

/// <summary>
/// A child's start as a shell-like line: the variables it is given, the program, the arguments, quoted where needed.
/// Secrets are masked: variables whose names say they hold one, NAME=value and --name value where the name says so,
/// an Authorization header's credentials, the password in a URL. A shell script's text is never shown, only its
/// length: a configured command is free text, and no rule can find every secret in it.
/// </summary>
internal static partial class ChildCommandLine
{
    /// <summary>What a masked secret shows instead.</summary>
    public const string Mask = "***";

    private static readonly string[] SecretNameParts = ["PASS", "SECRET", "TOKEN", "KEY", "AUTH", "CREDENTIAL"];

    private static readonly string[] Shells = ["sh", "bash", "dash", "zsh", "ksh", "ash"];

    /// <summary>
    /// The line for <paramref name="path"/> run with <paramref name="arguments"/> and the variables of
    /// <paramref name="environment"/> it sets. A shell's -c script is shown as <paramref name="scriptName"/> and its length.
    /// </summary>
    public static string Format(string path, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, string scriptName = "shell script")
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var words = environment
            .Where(v => v.Value is not null)
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => $"{v.Key}={(IsSecretName(v.Key) ? Mask : Quote(MaskInline(v.Value!)))}")
            .Append(Quote(path))
            .Concat(Arguments(path, arguments.ToList(), scriptName));
        return string.Join(' ', words);
    }

    /// <summary>True when a variable called <paramref name="name"/> holds a secret by its name (PGPASSWORD, AWS_SECRET_ACCESS_KEY).</summary>
    public static bool IsSecretName(string name) =>
        SecretNameParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Arguments(string path, List<string> arguments, string scriptName)
    {
        var shell = Shells.Contains(Path.GetFileName(path), StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            yield return Quote(MaskInline(argument));
            if (i + 1 >= arguments.Count)
                continue;
            if (shell && IsScriptFlag(argument))
                yield return $"<{scriptName}, {arguments[++i].Length} characters>";
            else if (TakesSecretValue(argument) && !arguments[i + 1].StartsWith('-'))
            {
                i++;
                yield return Mask;
            }
        }
    }

    // -c, or -c among other single-letter options (-ec, -xc): the next argument is the script.
    private static bool IsScriptFlag(string argument) =>
        argument.Length > 1 && argument[0] == '-' && argument[1] != '-' && argument.Contains('c', StringComparison.Ordinal);

    // --password X, --db-password X, -password X; not --no-password, which takes no value.
    private static bool TakesSecretValue(string argument) =>
        SecretFlag().IsMatch(argument) && !argument.StartsWith("--no-", StringComparison.Ordinal) && IsSecretName(argument);

    private static string MaskInline(string text)
    {
        text = UrlPassword().Replace(text, m => m.Groups["before"].Value + Mask + "@");
        text = Authorization().Replace(text, m => m.Groups["key"].Value + Mask);
        return SecretSetting().Replace(text, m => m.Groups["key"].Value + Mask);
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

    // scheme://user:password@host. A password may hold '@' (unescaped, as people paste them); the host cannot, so
    // everything up to the last '@' of the word is masked.
    [GeneratedRegex(@"(?<before>[a-z][a-z0-9+.-]*://[^:/@\s]*:)\S*@", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    // Authorization: Bearer abc, Authorization: Basic abc (an HTTP header passed to curl and the like), and a bare Bearer abc.
    [GeneratedRegex(@"(?<key>\b(?:Authorization\s*:\s*(?:[A-Za-z-]+\s+)?|Bearer\s+))[^\s'""]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Authorization();

    // NAME=value where the name says it holds a secret: APP_DB_PASSWORD=x, --password=x, password='x y' (libpq
    // keyword/value connection strings), api_key="x". Only such names match, so a setting inside another's value
    // (--dbname=password=x) is still found.
    [GeneratedRegex(@"(?<key>(?<![\w-])-{0,2}(?=[\w-]*?(?:pass|secret|token|key|auth|credential))[A-Za-z_][\w-]*\s*=\s*)('(?:[^'\\]|\\.)*'|""(?:[^""\\]|\\.)*""|[^\s;&|]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretSetting();

    // A flag alone: -password, --db-password.
    [GeneratedRegex(@"^-{1,2}[A-Za-z][\w-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SecretFlag();
}
