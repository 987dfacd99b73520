using System.Security.Cryptography;

namespace Lifeboat.Repository;

/// <summary>What a check found.</summary>
/// <param name="Backups">Backups whose manifests verified.</param>
/// <param name="ObjectsChecked">Data objects whose presence and size were checked.</param>
/// <param name="ObjectsRead">Data objects decrypted and re-hashed.</param>
/// <param name="Problems">One line per problem, each naming the object.</param>
public sealed record CheckReport(int Backups, int ObjectsChecked, int ObjectsRead, IReadOnlyList<string> Problems);

/// <summary>
/// Verifies a repository: every manifest decrypts, every object it names exists with the recorded size, and
/// (when asked) a share of the objects decrypt and hash to the recorded SHA-256.
/// </summary>
public sealed class RepositoryCheck(BackupRepository repository, IActivityReporter reporter)
{
    /// <summary>Runs the check; <paramref name="readDataPercent"/> of the objects (0–100) are read in full.</summary>
    public async Task<CheckReport> RunAsync(int readDataPercent, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var manifests = await repository.ListBackupsAsync((key, error) => problems.Add($"{key}: {error.Message}"), cancellationToken);
        var present = new List<(BackupManifest Manifest, StoredObject Object)>();
        foreach (var manifest in manifests)
        {
            foreach (var stored in manifest.Objects)
            {
                var problem = await CheckPresenceAsync(manifest, stored, cancellationToken);
                if (problem is null)
                    present.Add((manifest, stored));
                else
                    problems.Add(problem);
            }
        }

        var toRead = ChooseForReading(present, readDataPercent);
        foreach (var (manifest, stored) in toRead)
        {
            if (await ReadAsync(manifest, stored, cancellationToken) is { } problem)
                problems.Add(problem);
        }

        var checkedCount = manifests.Sum(m => m.Objects.Count);
        reporter.Event($"check: {manifests.Count} backups, {checkedCount} objects checked, {toRead.Count} read in full, {problems.Count} problems");
        return new CheckReport(manifests.Count, checkedCount, toRead.Count, problems);
    }

    // A random subset, rounded up: 10 % of a small repository still reads something, and repeated
    // partial checks cover everything over time, as restic's --read-data-subset does.
    private static List<(BackupManifest, StoredObject)> ChooseForReading(List<(BackupManifest, StoredObject)> present, int percent)
    {
        var count = (int)Math.Ceiling(present.Count * percent / 100.0);
        var shuffled = present.ToArray();
        RandomNumberGenerator.Shuffle(shuffled.AsSpan());
        return [.. shuffled.Take(count)];
    }

    private async Task<string?> CheckPresenceAsync(BackupManifest manifest, StoredObject stored, CancellationToken cancellationToken)
    {
        var info = await repository.Store.StatAsync(stored.Key, cancellationToken);
        if (info is null)
            return $"{stored.Key}: missing (needed by backup {manifest.Id})";
        if (info.Size != stored.StoredBytes)
            return $"{stored.Key}: {info.Size} bytes stored, the manifest of backup {manifest.Id} says {stored.StoredBytes}";
        return null;
    }

    private async Task<string?> ReadAsync(BackupManifest manifest, StoredObject stored, CancellationToken cancellationToken)
    {
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
            return $"{stored.Key}: {e.Message} (backup {manifest.Id})";
        }
    }
}
