using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Lifeboat.Cli.Commands;

/// <summary>
/// The one line a command line that does not parse becomes: the first thing wrong in Lifeboat's words, with
/// "did you mean" when a command or option close to what was typed exists, else where to read the usage.
/// </summary>
internal static class UsageError
{
    // Two edits catch a dropped, doubled or swapped letter; more would suggest unrelated words.
    private const int MaxEdits = 2;

    /// <summary>What is wrong with <paramref name="parse"/> (which has errors) and what to do about it.</summary>
    public static (string Message, string Hint) Describe(ParseResult parse)
    {
        if (parse.UnmatchedTokens.Count > 0)
            return Unmatched(parse.UnmatchedTokens[0], parse.CommandResult);
        var error = parse.Errors[0];
        return error.SymbolResult switch
        {
            OptionResult option => BadValue(option, error),
            ArgumentResult { Parent: OptionResult option } => BadValue(option, error),
            ArgumentResult { Parent: CommandResult owner } argument when argument.Tokens.Count == 0 =>
                ($"'{PathOf(owner)}' needs {argument.Argument.Name}", SeeHelp(owner)),
            ArgumentResult { Parent: CommandResult owner } argument when Accepted(argument.Argument) is { Count: > 0 } accepted =>
                NotAmong($"'{PathOf(owner)}' takes {argument.Argument.Name}", argument.Tokens[^1].Value, accepted, owner),
            CommandResult { Command.Subcommands.Count: > 0 } owner when owner.Command.Action is null =>
                ($"'{PathOf(owner)}' needs a command: {string.Join(", ", owner.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}", SeeHelp(owner)),
            _ => (error.Message, SeeHelp(parse.CommandResult)),
        };
    }

    private static (string, string) Unmatched(string token, CommandResult at)
    {
        var path = PathOf(at);
        if (token.StartsWith('-'))
        {
            if (Misplaced(token, at) is { } misplaced)
                return misplaced;
            var options = OptionsOf(at).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
            return ($"unknown option '{Shown(token)}' for '{path}'", DidYouMean(token.Split('=', 2)[0], options) ?? SeeHelp(at));
        }

        var commands = at.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
        if (commands.Count > 0)
        {
            var of = at.Parent is null ? "" : $" for '{path}'";
            return ($"unknown command '{token}'{of}", DidYouMean(token, commands) ?? SeeHelp(at));
        }

        return ($"unexpected argument '{token}' for '{path}'", SeeHelp(at));
    }

    // A value typed with '=' is not repeated: it may be a secret pasted where a variable's name belongs.
    private static string Shown(string token) => token.Contains('=', StringComparison.Ordinal) ? token.Split('=', 2)[0] + "=…" : token;

    // 'lifeboat backup --dry-run postgres': an option of a command is read only after that command's name. Left
    // unmatched, it was typed before it (it is the parsed command's own), or its command was not typed at all.
    private static (string, string)? Misplaced(string token, CommandResult at)
    {
        var name = token.Split('=', 2)[0];
        var owner = Commands(at.Command).FirstOrDefault(c => c.Options.Any(o => o.Name == name || o.Aliases.Contains(name)));
        if (owner is null)
            return null;
        var path = owner == at.Command ? PathOf(at) : $"{PathOf(at)} {string.Join(' ', PathBelow(at.Command, owner)!)}";
        return ($"'{name}' belongs after '{owner.Name}': {path} {Shown(token)}", $"see '{path} --help'");
    }

    // A command and every command below it, nearest first.
    private static IEnumerable<Command> Commands(Command command)
    {
        var level = new List<Command> { command };
        while (level.Count > 0)
        {
            foreach (var each in level)
                yield return each;
            level = [.. level.SelectMany(c => c.Subcommands.Where(s => !s.Hidden))];
        }
    }

    // The names from just below <paramref name="from"/> down to <paramref name="to"/>; null when it is not below.
    private static List<string>? PathBelow(Command from, Command to)
    {
        foreach (var child in from.Subcommands)
        {
            if (child == to)
                return [child.Name];
            if (PathBelow(child, to) is { } rest)
                return [child.Name, .. rest];
        }

        return null;
    }

    // "-j abc": the value the option takes, in words; a value that does parse failed some other check, which says why.
    private static (string, string) BadValue(OptionResult result, ParseError error)
    {
        var option = result.Option;
        var given = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        var help = SeeHelp(result.Parent as CommandResult);
        // A flag takes no value, so it can only be wrong in another way (--version beside other arguments), which its message says.
        if (option.Arity.MaximumNumberOfValues == 0)
            return (FlagMessage(error.Message), help);
        if (given is null)
            return (Expectation(option.ValueType) is { } expected ? $"{option.Name} needs a value: {expected}" : $"{option.Name} needs a value", help);
        if (OutOfRange(given, option.ValueType) is { } range)
            return ($"{option.Name} {given} is {range}", help);
        if (Accepted(option) is { Count: > 0 } accepted)
            return NotAmong(option.Name, given, accepted, result.Parent as CommandResult);
        if (Parses(given, option.ValueType))
            return (error.Message, help);
        return ($"{option.Name} takes {Expectation(option.ValueType) ?? "another value"}, not '{given}'", help);
    }

    // System.CommandLine says "--version option cannot be combined with other arguments."; the option is its name.
    private static string FlagMessage(string message) =>
        message.Replace(" option cannot", " cannot", StringComparison.Ordinal).TrimEnd('.');

    // A whole number too large (or small) for the option: "too large: the most it takes is 2147483647".
    private static string? OutOfRange(string given, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        (long? Min, long? Max) bounds = type == typeof(int) ? (int.MinValue, int.MaxValue)
            : type == typeof(long) ? (long.MinValue, long.MaxValue)
            : type == typeof(short) ? (short.MinValue, short.MaxValue)
            : (null, null);
        var (min, max) = bounds;
        if (min is null || !System.Numerics.BigInteger.TryParse(given, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            return null;
        if (value > max)
            return $"too large: the most it takes is {max.Value.ToString(CultureInfo.InvariantCulture)}";
        if (value < min)
            return $"too small: the least it takes is {min.Value.ToString(CultureInfo.InvariantCulture)}";
        return null;
    }

    // "--format takes json or text, not 'yaml'", and the nearest when one is close.
    private static (string, string) NotAmong(string subject, string given, IReadOnlyList<string> accepted, CommandResult? at)
    {
        var choices = accepted.Count == 1 ? accepted[0] : $"{string.Join(", ", accepted.Take(accepted.Count - 1))} or {accepted[^1]}";
        return ($"{subject} {choices}, not '{given}'", DidYouMean(given, accepted) ?? SeeHelp(at));
    }

    // The values a symbol declares it takes (AcceptOnlyFromAmong); free text and numbers declare none.
    private static List<string> Accepted(Argument argument) =>
        argument.ValueType == typeof(string) ? [.. argument.GetCompletions(CompletionContext.Empty).Select(c => c.Label)] : [];

    private static List<string> Accepted(Option option) =>
        option.ValueType == typeof(string) ? [.. option.GetCompletions(CompletionContext.Empty).Select(c => c.Label)] : [];

    /// <summary>What a value of <paramref name="type"/> is, in words ("a whole number"); null when any text will do.</summary>
    internal static string? Expectation(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long) || type == typeof(short))
            return "a whole number";
        if (type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort))
            return "a whole number, 0 or more";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
            return "a number";
        if (type == typeof(bool))
            return "true or false";
        if (type == typeof(TimeSpan))
            return "a duration such as 00:30:00";
        return null;
    }

    private static bool Parses(string value, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var culture = CultureInfo.InvariantCulture;
        if (type == typeof(int))
            return int.TryParse(value, NumberStyles.Integer, culture, out _);
        if (type == typeof(long))
            return long.TryParse(value, NumberStyles.Integer, culture, out _);
        if (type == typeof(bool))
            return bool.TryParse(value, out _);
        if (type == typeof(double))
            return double.TryParse(value, NumberStyles.Float, culture, out _);
        return type == typeof(string);
    }

    private static string? DidYouMean(string typed, IEnumerable<string> known)
    {
        // The word as typed is never its own suggestion: it is already wrong where it stands.
        var best = known.Distinct().Where(k => k != typed && IsClose(typed, k)).MinBy(k => EditDistance.Between(k, typed));
        return best is null ? null : $"did you mean '{best}'?";
    }

    // Two edits allow a swapped pair (lsit, --jbos); on short words they also join unrelated ones (fish, bash),
    // which a shared first letter tells apart: people mistype the middle of a word far more often than its start.
    private static bool IsClose(string typed, string known)
    {
        var distance = EditDistance.Between(known, typed);
        if (distance <= 1)
            return true;
        var first = typed.TrimStart('-');
        var other = known.TrimStart('-');
        return distance <= MaxEdits && first.Length > 0 && other.Length > 0 && char.ToUpperInvariant(first[0]) == char.ToUpperInvariant(other[0]);
    }

    // The options usable at a command: its own and those its ancestors declare recursive (--config, --json).
    private static IEnumerable<Option> OptionsOf(CommandResult at)
    {
        var own = at.Command.Options;
        var inherited = Ancestors(at).Skip(1).SelectMany(c => c.Command.Options.Where(o => o.Recursive));
        return own.Concat(inherited);
    }

    private static IEnumerable<CommandResult> Ancestors(CommandResult at)
    {
        for (var current = at; current is not null; current = current.Parent as CommandResult)
            yield return current;
    }

    /// <summary>"lifeboat restore postgres": the command as typed.</summary>
    private static string PathOf(CommandResult at) =>
        string.Join(' ', Ancestors(at).Reverse().Select(c => c.Parent is null ? "lifeboat" : c.Command.Name));

    private static string SeeHelp(CommandResult? at) => $"see '{(at is null ? "lifeboat" : PathOf(at))} --help'";
}
