using System.Security.Cryptography;

namespace Lifeboat.Repository;

/// <summary>What a check found.</summary>
/// <param name="Backups">Backups whose manifests verified.</param>
/// <param name="ObjectsChecked">Distinct data objects whose presence and size were checked (an object shared by several backups counts once).</param>
/// <param name="ObjectsPresent">Of those, the ones found with the recorded size.</param>
/// <param name="ObjectsRead">Data objects decrypted and re-hashed.</param>
/// <param name="Problems">One line per problem, each naming the object.</param>
public sealed record CheckReport(int Backups, int ObjectsChecked, int ObjectsPresent, int ObjectsRead, IReadOnlyList<string> Problems);

/// <summary>
/// Verifies a repository: every manifest decrypts, every object it names exists with the recorded size, and
/// (when asked) a share of the objects decrypt and hash to the recorded SHA-256. An object that many backups
/// share (a bucket's content, a WAL segment) is looked at once, however many manifests name it.
/// </summary>
/// <remarks><paramref name="detailsProblem"/> is the sources' own look at a manifest's details: what is wrong with them, or null.</remarks>
public sealed class RepositoryCheck(BackupRepository repository, IActivityReporter reporter, Func<BackupManifest, string?>? detailsProblem = null)
{
    /// <summary>Runs the check; <paramref name="readDataPercent"/> of the objects (0–100) are read in full.</summary>
    public async Task<CheckReport> RunAsync(int readDataPercent, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var manifests = await repository.ListBackupsAsync((key, error) => problems.Add($"{key}: {error.Message}"), cancellationToken);
        foreach (var manifest in manifests)
        {
            if (detailsProblem?.Invoke(manifest) is { } problem)
                problems.Add($"{BackupRepository.ManifestKey(manifest)}: {problem}");
        }

        var objects = NeededObjects(manifests, problems);
        var present = new List<NeededObject>();
        foreach (var needed in objects)
        {
            var problem = await CheckPresenceAsync(needed, cancellationToken);
            if (problem is null)
                present.Add(needed);
            else
                problems.Add(problem);
        }

        var toRead = ChooseForReading(present, readDataPercent);
        foreach (var needed in toRead)
        {
            if (await ReadAsync(needed, cancellationToken) is { } problem)
                problems.Add(problem);
        }

        reporter.Event($"check: {manifests.Count} backups, {objects.Count} objects checked, {present.Count} present, {toRead.Count} read in full, {problems.Count} problems");
        return new CheckReport(manifests.Count, objects.Count, present.Count, toRead.Count, problems);
    }

    /// <summary>One data object and the backups that need it.</summary>
    private sealed record NeededObject(StoredObject Object, List<string> Backups)
    {
        public string NeededBy => Backups.Count == 1 ? $"backup {Backups[0]}" : $"backups {string.Join(", ", Backups)}";
    }

    // One entry per key, so an object many backups share is looked at once. Backups that record different contents
    // for one key cannot all be restored from it: that is a problem in itself, whatever the object now holds.
    private static List<NeededObject> NeededObjects(IReadOnlyList<BackupManifest> manifests, List<string> problems)
    {
        var byKey = new Dictionary<string, NeededObject>(StringComparer.Ordinal);
        foreach (var manifest in manifests)
        {
            foreach (var stored in manifest.Objects)
            {
                if (!byKey.TryGetValue(stored.Key, out var known))
                {
                    byKey[stored.Key] = new NeededObject(stored, [manifest.Id]);
                    continue;
                }

                if (known.Object.Sha256 != stored.Sha256 || known.Object.StoredBytes != stored.StoredBytes)
                    problems.Add($"{stored.Key}: backup {manifest.Id} records other contents for it than {known.NeededBy} (SHA-256 {stored.Sha256[..Math.Min(12, stored.Sha256.Length)]}… against {known.Object.Sha256[..Math.Min(12, known.Object.Sha256.Length)]}…)");
                else
                    known.Backups.Add(manifest.Id);
            }
        }

        return [.. byKey.Values];
    }

    // A random subset, rounded up: 10 % of a small repository still reads something, and repeated
    // partial checks cover everything over time, as restic's --read-data-subset does.
    private static List<NeededObject> ChooseForReading(List<NeededObject> present, int percent)
    {
        var count = (int)Math.Ceiling(present.Count * percent / 100.0);
        var shuffled = present.ToArray();
        RandomNumberGenerator.Shuffle(shuffled.AsSpan());
        return [.. shuffled.Take(count)];
    }

    private async Task<string?> CheckPresenceAsync(NeededObject needed, CancellationToken cancellationToken)
    {
        var stored = needed.Object;
        var info = await repository.Store.StatAsync(stored.Key, cancellationToken);
        if (info is null)
            return $"{stored.Key}: missing (needed by {needed.NeededBy})";
        if (info.Size != stored.StoredBytes)
            return $"{stored.Key}: {info.Size} bytes stored, the manifest of {needed.NeededBy} says {stored.StoredBytes}";
        return null;
    }

    private async Task<string?> ReadAsync(NeededObject needed, CancellationToken cancellationToken)
    {
        var stored = needed.Object;
        reporter.Event($"check: reading {stored.Key}");
        try
        {
            await using var stream = await repository.OpenObjectAsync(stored, cancellationToken);
            await stream.CopyToAsync(Stream.Null, 1 << 20, cancellationToken);
            return null;
        }
        catch (Exception e) when (e is LifeboatException or IOException)
        {
            // An unreadable sector is exactly what a check is for: report it and go on with the rest.
            return $"{stored.Key}: {e.Message} ({needed.NeededBy})";
        }
    }
}
