namespace Lifeboat.Repository;

/// <summary>
/// Whether the newest backup of a source can be restored: a restore of the latest backup must not be the first to find
/// that it is damaged. Names no source: the source type and name are given.
/// </summary>
public static class NewestBackupCheck
{
    /// <summary>
    /// The check named <paramref name="name"/> of the newest backup of <paramref name="source"/>/<paramref name="sourceName"/>,
    /// and that backup when it reads (null when there is none, or it does not).
    /// </summary>
    public static async Task<(HealthCheck Check, BackupManifest? Newest)> RunAsync(
        string name, BackupRepository repository, string source, string sourceName, CancellationToken cancellationToken, string? kind = null)
    {
        BackupManifest? newest;
        try
        {
            newest = await repository.FindNewestAsync(source, sourceName, cancellationToken, kind);
        }
        catch (LifeboatException e)
        {
            var check = new HealthCheck(name, HealthStatus.Fail, $"a restore of the latest backup would be refused: {e.Message.TrimEnd('.', ' ')}")
            {
                Hint = e.Hint,
                Remedy = e.Remedy,
            };
            return (check, null);
        }

        if (newest is null)
            return (HealthCheck.Ok(name, $"none yet in {repository.Store.Location}"), null);
        return (HealthCheck.Ok(name, $"{newest.Id}, started {newest.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {ByteCount.Format(newest.SizeBytes)}: its record reads (its data was not read)"), newest);
    }
}
