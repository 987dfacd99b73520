using System.CommandLine;
using System.Globalization;
using Lifeboat.Cli.Commands;
using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Cli.Sources.Postgres;

/// <summary>restore pitr's options that say where recovery stops, how, and along which timeline; read into a <see cref="PitrTarget"/>.</summary>
internal sealed partial class PitrTargetOptions
{
    // PostgreSQL's limit for recovery_target_name (MAXFNAMELEN - 1).
    private const int MaxRestorePointName = 63;

    private readonly Option<string?> time = new("--target-time") { Description = "Recover up to this moment (ISO 8601, e.g. 2026-12-03T10:42:35Z)" };
    private readonly Option<string?> lsn = new("--target-lsn") { Description = "Recover up to this WAL position (e.g. 0/7FA920)" };
    private readonly Option<string?> xid = new("--target-xid") { Description = "Recover up to the commit of this transaction (e.g. 1234, from txid_current())" };
    private readonly Option<string?> name = new("--target-name") { Description = "Recover up to this restore point (made with pg_create_restore_point)" };
    private readonly Option<bool> latest = CommonOptions.Flag("--latest", "Recover to the end of the archived WAL");
    private readonly Option<bool> exclusive = CommonOptions.Flag("--exclusive", "Stop just before the target (time, LSN or transaction) instead of just after it");
    private readonly Option<string?> action = new("--target-action") { Description = "What the server does at the target: promote (default), pause or shutdown" };
    private readonly Option<string> timeline = new("--target-timeline")
    {
        Description = "The timeline to recover along: a number, or latest (the newest archived timeline whose history contains the base backup)",
        DefaultValueFactory = _ => "latest",
    };

    public PitrTargetOptions() => action.AcceptOnlyFromAmong("promote", "pause", "shutdown");

    /// <summary>The options, to add to the command.</summary>
    public IEnumerable<Option> All => [time, lsn, xid, name, latest, exclusive, action, timeline];

    /// <summary>The target the parsed options give; usage errors for none or several targets and for options that do not apply to it.</summary>
    public PitrTarget Read(ParseResult parse)
    {
        var (timeText, lsnText, xidText, nameText, toEnd) = (parse.GetValue(time), parse.GetValue(lsn), parse.GetValue(xid), parse.GetValue(name), parse.GetValue(latest));
        var given = new object?[] { timeText, lsnText, xidText, nameText, toEnd ? true : null }.Count(v => v is not null);
        if (given != 1)
            throw new LifeboatException("give exactly one of --target-time, --target-lsn, --target-xid, --target-name and --latest", kind: FailureKind.Usage);
        if (parse.GetValue(exclusive) && (nameText is not null || toEnd))
            throw new LifeboatException("--exclusive applies to --target-time, --target-lsn and --target-xid only", kind: FailureKind.Usage);
        if (toEnd && parse.GetValue(action) is not null)
            throw new LifeboatException("--target-action has no effect with --latest: recovery that runs to the end of the WAL always promotes", kind: FailureKind.Usage);

        return new PitrTarget
        {
            Time = timeText is null ? null : Time(timeText),
            Position = lsnText is null ? null : Position(lsnText),
            TransactionId = xidText is null ? null : TransactionId(xidText),
            RestorePoint = nameText is null ? null : RestorePoint(nameText),
            Inclusive = !parse.GetValue(exclusive),
            Action = parse.GetValue(action) switch { "pause" => PitrTargetAction.Pause, "shutdown" => PitrTargetAction.Shutdown, _ => PitrTargetAction.Promote },
            Timeline = Timeline(parse.GetValue(timeline)!),
        };
    }

    // A moment without its zone would be read in some zone the operator did not think of, an hour or more off.
    private static DateTimeOffset Time(string text)
    {
        if (!WithZone().IsMatch(text.Trim()))
        {
            throw new LifeboatException(
                $"--target-time takes a moment with its time zone, such as 2026-12-03T10:42:35Z (UTC) or 2026-12-03T11:42:35+01:00, not '{text}'",
                kind: FailureKind.Usage);
        }

        return DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var moment)
            ? moment
            : throw new LifeboatException($"--target-time takes a moment such as 2026-12-03T10:42:35Z, not '{text}'", kind: FailureKind.Usage);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex WithZone();

    private static WalPosition Position(string text) =>
        WalPosition.TryParse(text) ?? throw new LifeboatException($"--target-lsn takes a WAL position such as 0/7FA920, not '{text}'", kind: FailureKind.Usage);

    // 0 to 2 are PostgreSQL's special ids (invalid, bootstrap, frozen): no transaction commits under them.
    private static ulong TransactionId(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var xid) && (uint)xid >= 3
            ? xid
            : throw new LifeboatException($"--target-xid takes a transaction id such as 1234 (from txid_current()), not '{text}'", kind: FailureKind.Usage);

    private static string RestorePoint(string text) =>
        text.Length is > 0 and <= MaxRestorePointName
            ? text
            : throw new LifeboatException($"--target-name takes a restore point's name of 1 to {MaxRestorePointName} characters, as pg_create_restore_point made it", kind: FailureKind.Usage);

    private static uint? Timeline(string text) =>
        text == "latest" ? null
        : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 ? number
        : throw new LifeboatException($"--target-timeline takes a timeline number such as 2, or latest, not '{text}'", kind: FailureKind.Usage);
}
