namespace Lifeboat.Cli.Output;

/// <summary>The command line's words for each <see cref="RemedyAction"/> of the core: its commands, flags and configuration keys.</summary>
internal static class RemedyText
{
    /// <summary>"<paramref name="message"/>. hint: what to do", as an error line ends; the message alone when the action has no words.</summary>
    public static string WithHint(string message, Remedy remedy) => For(remedy) is { } hint ? $"{message}. hint: {hint}" : message;

    /// <summary>What to do, as the operator types it; null for an action this table has no words for.</summary>
    public static string? For(Remedy remedy) => remedy.Action switch
    {
        RemedyAction.CreateRepository => "run 'lifeboat init' to create it, or check repository.url",
        RemedyAction.MigrateLayout => "run 'lifeboat migrate' once: it moves the manifests into their own folder and rewrites no backup data (docs/FORMAT.md §4)",
        RemedyAction.CheckRepository => "run 'lifeboat check'",
        RemedyAction.FindDamagedObjects => "run 'lifeboat check' to find damaged objects",
        RemedyAction.FindMissingObjects => "run 'lifeboat check' to find missing objects",
        RemedyAction.CheckRepositoryData => "'lifeboat check --read-data' lists every damaged object",
        RemedyAction.RemoveStaleLocks => "if that process is really gone, run 'lifeboat unlock' to remove stale locks",
        RemedyAction.ListBackups => remedy.Subject is null
            ? "list the backups with 'lifeboat list'"
            : $"list the backups with 'lifeboat list --source {remedy.Subject}'",
        RemedyAction.TakeBackup => remedy.Subject is null
            ? "take a backup first, or list what exists with 'lifeboat list'"
            : $"take one with 'lifeboat backup {remedy.Subject}', or list what exists with 'lifeboat list'",
        RemedyAction.ChooseBackup => $"name a backup explicitly with --backup {remedy.Subject} if that is what you want, and run 'lifeboat check'",
        RemedyAction.CheckRepositoryKey =>
            "check repository.encryption (keyFile or passphraseEnv): it must be the key the repository was initialised with, or one added with 'lifeboat key add'",
        RemedyAction.ListKeySlots => "list the slots with 'lifeboat key list'",
        RemedyAction.RetireOpeningKey =>
            "to retire that key: 'lifeboat key add' the new one, point repository.encryption at it, then remove this slot with the new configuration",
        RemedyAction.PointAtKeyFile => "point repository.encryption.keyFile at the repository's key file; 'lifeboat init' creates one for a new repository",
        RemedyAction.UseKeyFileAsWritten => "use the file 'lifeboat init' wrote, byte for byte",
        RemedyAction.SetPassphrase => "set the environment variable named by repository.encryption.passphraseEnv, or use a key file",
        RemedyAction.ConfigureS3 => "set repository.s3 (endpoint, region, accessKeyEnv, secretKeyEnv)",
        RemedyAction.CheckS3Endpoint => "check repository.s3.endpoint and that the S3 server is running and reachable from here",
        RemedyAction.CheckS3Credentials => "check the access key and secret key given for the repository (repository.s3.accessKeyEnv and secretKeyEnv)",

        // A source's configuration section is named after its type, so the subject spells the section.
        RemedyAction.PointAtClientTools => $"point {remedy.Subject}[].binDir at its bin directory",
        RemedyAction.CheckSourcePassword => $"check the user and the password variable named by {remedy.Subject}[].passwordEnv",
        RemedyAction.CheckSourceDatabase => $"check {remedy.Subject}[].database",
        RemedyAction.CheckSourceAddress => $"is the server running, and are {remedy.Subject}[].host and port right?",
        RemedyAction.CheckSourceTls => $"check {remedy.Subject}[].sslMode, sslRootCert and host",
        RemedyAction.CheckSourceS3Endpoint => "check buckets[].endpoint and that the S3 server is running and reachable from here",
        RemedyAction.CheckSourceS3Credentials => "check the access key and secret key named by buckets[].accessKeyEnv and secretKeyEnv",
        RemedyAction.CheckSourceS3Bucket => "check buckets[].bucket and endpoint",
        RemedyAction.ListKeyVersions => "'lifeboat versions --key KEY' lists the versions a snapshot holds",

        RemedyAction.ChooseTargetDatabase => "choose another name with --target-db",
        RemedyAction.RestoreElsewhereOrReplace => "restore into another database with --target-db NAME, or add --force to replace it",
        RemedyAction.RestoreToAnotherPathOrReplace => "restore to another path with --to, or add --force to replace it",
        RemedyAction.EmptyDirectoryOrReplace => "restore into an empty directory, or add --force to replace what is in it (a running server must be stopped first)",
        RemedyAction.ArchiveThroughLifeboat => "archive_command must be 'lifeboat wal-push %p' with this configuration (archive_mode = on, then restart the server)",
        RemedyAction.RestoreWithOneJob => "restore with --jobs 1 to let pg_restore read the archive alone",
        RemedyAction.SpoolElsewhere => "or restore with --spool-dir on a file system with room",
        RemedyAction.ChooseSpoolDirectory => "name one with --spool-dir",
        RemedyAction.RelocateTablespace => $"restore it elsewhere with --tablespace-map {remedy.Subject}=DIR (an empty directory, or one --force may empty)",
        RemedyAction.NameDataDirectoryOwner => "name the OS user the server will run as with --owner USER",
        RemedyAction.ChooseTargetTimeline => $"if timeline {remedy.Subject} is the one that matters, recover along it with --target-timeline {remedy.Subject}",
        RemedyAction.WriteIntoNonEmptyServer => "restore into an empty server, or add --force to write beside its keys (keys it already has are refused unless --replace)",
        RemedyAction.WriteBesideServerFunctions => "restore into an empty server, add --force to load the backup's functions beside its libraries (a library it already has is refused unless --replace), or leave the functions out with --db or --match",
        RemedyAction.ReplaceExistingKeys => "add --replace to overwrite them, or leave them out with --db or --match",
        RemedyAction.CheckTargetCredentials => "check --to-user and the password in the variable --to-password-env names",
        RemedyAction.CheckTargetAddress => "check --to-server HOST:PORT",
        RemedyAction.CheckTargetTls => "check --to-tls and --to-ca-file",
        RemedyAction.WriteIntoNonEmptyBucket =>
            "restore into an empty bucket with --to-bucket, or add --force to write over what it holds (objects the snapshot lacks stay unless --delete-extra)",
        RemedyAction.NameTargetBucket => "name the bucket to write into with --to-bucket (the snapshot's own bucket to restore it where it came from)",
        RemedyAction.CheckTargetS3Endpoint => "check --to-endpoint (without it, buckets[].endpoint) and that the S3 server is running and reachable from here",
        RemedyAction.CheckTargetS3Credentials =>
            "check the keys named by --to-access-key-env and --to-secret-key-env (without them, buckets[].accessKeyEnv and secretKeyEnv); a restore or mirror needs write access",
        RemedyAction.CheckTargetS3Bucket => "check --to-bucket and --to-endpoint; a restore or mirror writes into a bucket that exists",
        RemedyAction.AllowMirrorRemovals =>
            "if the source really lost those objects, run 'lifeboat mirror --remove --force' once, or raise buckets[].mirrorRemoveLimitPercent",
        RemedyAction.LeaveOutDatabases => "or restore only the databases it can take with --db",
        RemedyAction.RestoreAgainOverPartialRestore => "or restore again over what it holds with --force --replace",
        RemedyAction.RestoreToFile => "that is, with --to FILE (and --aof for a server with appendonly yes) instead of --to-server",
        RemedyAction.ChooseOtherKeysOrRestoreToFile =>
            "--match or --db chooses the keys; --to FILE (with --aof for a server with appendonly yes) writes the RDB for a newer Redis to load",
        RemedyAction.GiveRedisClientCertificate => "set redis[].certFile and redis[].keyFile",
        RemedyAction.GiveTargetClientCertificate => "give --to-cert and --to-key",
        RemedyAction.IgnoreMemoryEstimate => "or add --ignore-memory-estimate if the keys are known to fit (the restore still fails if the target evicts any key)",

        // Reporting an error must not fail; a missing entry is caught by RemedyTextTests instead.
        _ => null,
    };
}
