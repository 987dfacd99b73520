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
        var checkedCount = 0;
        var readCount = 0;
        foreach (var manifest in manifests)
        {
            foreach (var stored in manifest.Objects)
            {
                checkedCount++;
                var problem = await CheckPresenceAsync(manifest, stored, cancellationToken);
                if (problem is not null)
                {
                    problems.Add(problem);
                    continue;
                }

                if (!Chosen(readDataPercent))
                    continue;
                readCount++;
                problem = await ReadAsync(manifest, stored, cancellationToken);
                if (problem is not null)
                    problems.Add(problem);
            }
        }

        reporter.Event($"check: {manifests.Count} backups, {checkedCount} objects present, {readCount} read in full, {problems.Count} problems");
        return new CheckReport(manifests.Count, checkedCount, readCount, problems);
    }

    private static bool Chosen(int percent) =>
        percent >= 100 || (percent > 0 && RandomNumberGenerator.GetInt32(100) < percent);

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
