using System.Globalization;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>
/// The verification pass: reads the whole RDB (structure and checksum) without keeping values, counts each database's
/// keys against what the RDB declares, finds which keys the filters choose, whether the target has their databases
/// and can read their types, which is the largest, and (through a <see cref="CollisionCheck"/>) whether the target
/// already has them; a module's data, which RESTORE does not bring back, stops it. Nothing is written.
/// </summary>
internal sealed class RdbSurvey
{
    private const long ProgressStep = 4 << 20;

    public int Version { get; private set; }

    public ulong? Checksum { get; private set; }

    public SortedDictionary<int, DatabaseTally> Databases { get; } = [];

    public List<RdbFunctionLibrary> Libraries { get; } = [];

    /// <summary>Serialized bytes of every key's value, and of the chosen keys' values: the share of the backup the restore writes.</summary>
    public long TotalBytes { get; private set; }

    /// <inheritdoc cref="TotalBytes"/>
    public long SelectedBytes { get; private set; }

    /// <summary>The chosen key with the longest serialized value, or null when none is chosen.</summary>
    public RdbKeyValue? Largest { get; private set; }

    public static async Task<RdbSurvey> RunAsync(
        Stream rdb, string rdbName, TargetServer target, TargetProbe probe, KeySelection selection, CollisionCheck? collisions, IReadOnlyList<RedisKeyspace>? recorded,
        ITransferProgress progress, CancellationToken cancellationToken)
    {
        var survey = new RdbSurvey();
        using var reader = await RdbReader.OpenAsync(rdb, rdbName, keepValues: false, cancellationToken);
        survey.Version = reader.Version;
        var reported = 0L;
        while (await reader.ReadAsync(cancellationToken) is { } entry)
        {
            // Entries come from buffers and answers are often in already: nothing below is sure to look at the token.
            cancellationToken.ThrowIfCancellationRequested();
            switch (entry)
            {
                case RdbDatabaseSize size:
                    survey.Tally(size.Db).Declared = (size.Keys, size.Expires);
                    break;
                case RdbFunctionLibrary library:
                    survey.Libraries.Add(library);
                    break;
                case RdbModuleAuxData aux:
                    throw ModuleData(rdbName, aux.Module, "saved beside the keys");
                case RdbKeyValue key:
                    await survey.CountAsync(key, rdbName, reader.Version, target, probe, selection, collisions, cancellationToken);
                    break;
            }

            if (reader.Offset - reported >= ProgressStep)
                progress.Report(reported = reader.Offset);
        }

        progress.Report(reader.Offset);
        survey.Checksum = reader.Checksum;
        survey.CheckDeclaredCounts(rdbName);
        if (recorded is not null)
            survey.CheckRecordedCounts(rdbName, recorded);
        return survey;
    }

    public DatabaseTally Tally(int db)
    {
        if (!Databases.TryGetValue(db, out var tally))
            Databases[db] = tally = new DatabaseTally(db);
        return tally;
    }

    private async ValueTask CountAsync(
        RdbKeyValue key, string rdbName, int rdbVersion, TargetServer target, TargetProbe probe, KeySelection selection, CollisionCheck? collisions, CancellationToken cancellationToken)
    {
        var tally = Tally(key.Db);
        tally.Keys++;
        if (key.ExpireAtMs is not null)
            tally.Expires++;
        TotalBytes += key.SerializedLength;
        if (!selection.Includes(key.Db, key.Key))
            return;
        tally.Selected++;
        SelectedBytes += key.SerializedLength;
        if (key.Module is { } module)
            throw ModuleData(rdbName, module, $"key {RdbKeyText.Quote(key.Key)} in database {N(key.Db)} is of its type");
        if (rdbVersion > target.RdbVersion && !RdbValueConversion.CanConvert(key.Type, target.RdbVersion))
            throw Unreadable(key, rdbName, target);
        if (key.SerializedLength > (Largest?.SerializedLength ?? -1))
            Largest = key;
        // Before the collision check asks EXISTS there: a SELECT refused would leave it asking in another database.
        await probe.CheckDatabaseAsync(key.Db, cancellationToken);
        if (collisions is not null)
            await collisions.OfferAsync(key.Db, key.Key, cancellationToken);
    }

    private void CheckDeclaredCounts(string rdbName)
    {
        foreach (var tally in Databases.Values)
        {
            if (tally.Declared is not { } declared || (declared.Keys == tally.Keys && declared.Expires == tally.Expires))
                continue;
            throw new LifeboatException(
                $"{rdbName} declares {N(declared.Keys)} keys ({N(declared.Expires)} with an expiry) in database {N(tally.Db)} but holds {N(tally.Keys)} ({N(tally.Expires)} with an expiry)",
                "the stored RDB is inconsistent: restore from another backup");
        }
    }

    // The counts taken as the RDB was stored: an RDB that reads whole but holds other keys is not the one backed up.
    private void CheckRecordedCounts(string rdbName, IReadOnlyList<RedisKeyspace> recorded)
    {
        var expected = recorded.Where(d => d.Keys > 0).ToDictionary(d => d.Database, d => (d.Keys, d.Expires));
        foreach (var db in expected.Keys.Union(Databases.Keys).Order())
        {
            var (keys, expires) = expected.GetValueOrDefault(db);
            var (heldKeys, heldExpires) = Databases.TryGetValue(db, out var tally) ? (tally.Keys, tally.Expires) : (0, 0);
            if ((keys, expires) == (heldKeys, heldExpires))
                continue;
            throw new LifeboatException(
                $"{rdbName} holds {N(heldKeys)} keys ({N(heldExpires)} with an expiry) in database {N(db)}, but {N(keys)} ({N(expires)} with an expiry) were counted when it was stored",
                "the stored RDB is not the one that was backed up; nothing was written: restore from another backup")
            {
                Remedy = new(RemedyAction.CheckRepositoryData),
            };
        }
    }

    // A module's own data (its aux fields: RediSearch's index definitions, say) has no command to restore it, and its
    // keys mean little without it: a restore that reported success with them gone would mislead.
    private static LifeboatException ModuleData(string rdbName, string module, string where) => new(
        $"{rdbName} holds data of the module '{module}' ({where}), which a restore into a running server does not bring back",
        "nothing was written; restore the RDB as a file, into a Redis that loads that module",
        FailureKind.Usage)
    {
        Remedy = new(RemedyAction.RestoreToFile),
    };

    private static LifeboatException Unreadable(RdbKeyValue key, string rdbName, TargetServer target)
    {
        var since = RdbType.IntroducedIn(key.Type) ?? 0;
        var fieldExpiry = RdbType.IsHashWithFieldExpiry(key.Type);
        var what = fieldExpiry ? "hash with field expiry times (HEXPIRE and the like)" : RdbType.LogicalName(key.Type);
        return new LifeboatException(
            $"key {RdbKeyText.Quote(key.Key)} (database {N(key.Db)}) of {rdbName} is a {what} in an encoding of RDB {N(since)}, "
            + $"which {target.Target.Name} (Redis {target.RedisVersion}, RDB {N(target.RdbVersion)}) cannot read",
            fieldExpiry
                ? "nothing was written; restore into a Redis 7.4 or newer, or leave such hashes out where their names or database set them apart"
                : "nothing was written; restore into a Redis as new as the one that wrote the RDB, or as a file for such a Redis to load",
            FailureKind.Usage)
        {
            Remedy = new(fieldExpiry ? RemedyAction.ChooseOtherKeysOrRestoreToFile : RemedyAction.RestoreToFile),
        };
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
