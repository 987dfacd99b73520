namespace Lifeboat;

/// <summary>
/// What the operator can do about an error, named by what it achieves; the front end words each one as its own
/// command, flag or configuration key, which the core never names.
/// </summary>
public enum RemedyAction
{
    /// <summary>Create the repository, or correct where the configuration says it is.</summary>
    CreateRepository = 1,

    /// <summary>Bring an older repository layout up to the current one.</summary>
    MigrateLayout,

    /// <summary>Check the whole repository.</summary>
    CheckRepository,

    /// <summary>Check the repository for other damaged objects.</summary>
    FindDamagedObjects,

    /// <summary>Check the repository for other missing objects.</summary>
    FindMissingObjects,

    /// <summary>Check the repository reading all data, which lists every damaged object.</summary>
    CheckRepositoryData,

    /// <summary>Remove locks whose processes are gone.</summary>
    RemoveStaleLocks,

    /// <summary>List the backups; <see cref="Remedy.Subject"/> is the source type to list, or null for all.</summary>
    ListBackups,

    /// <summary>Take a backup first; <see cref="Remedy.Subject"/> is the source type, or null when any will do.</summary>
    TakeBackup,

    /// <summary>Name the backup to use instead of "latest", and check the repository; <see cref="Remedy.Subject"/> is the backup's id.</summary>
    ChooseBackup,

    /// <summary>Configure the secret the repository was initialised with, or one added to it since.</summary>
    CheckRepositoryKey,

    /// <summary>List the repository's key slots.</summary>
    ListKeySlots,

    /// <summary>Retire the key that opened the repository: add the new one, switch to it, then remove the old slot.</summary>
    RetireOpeningKey,

    /// <summary>Configure the path of the repository's key file.</summary>
    PointAtKeyFile,

    /// <summary>Use the key file exactly as Lifeboat wrote it.</summary>
    UseKeyFileAsWritten,

    /// <summary>Provide the passphrase through the configured environment variable, or use a key file instead.</summary>
    SetPassphrase,

    /// <summary>Configure the S3 settings of the repository.</summary>
    ConfigureS3,

    /// <summary>Check the configured S3 endpoint and that the server is reachable.</summary>
    CheckS3Endpoint,

    /// <summary>Check the configured S3 access and secret keys.</summary>
    CheckS3Credentials,

    /// <summary>Configure where the source's client tools are; <see cref="Remedy.Subject"/> is the source type.</summary>
    PointAtClientTools,

    /// <summary>Check the configured user and password of the source; <see cref="Remedy.Subject"/> is the source type.</summary>
    CheckSourcePassword,

    /// <summary>Check the configured database of the source; <see cref="Remedy.Subject"/> is the source type.</summary>
    CheckSourceDatabase,

    /// <summary>Check that the source's server runs at its configured host and port; <see cref="Remedy.Subject"/> is the source type.</summary>
    CheckSourceAddress,

    /// <summary>Restore under another database name.</summary>
    ChooseTargetDatabase,

    /// <summary>Restore under another database name, or replace the existing database.</summary>
    RestoreElsewhereOrReplace,

    /// <summary>Restore with a single job, which reads the archive as one stream.</summary>
    RestoreWithOneJob,

    /// <summary>Spool a restore's archive in a directory with more room.</summary>
    SpoolElsewhere,

    /// <summary>Restore into an empty directory, or replace what the directory holds.</summary>
    EmptyDirectoryOrReplace,

    /// <summary>Make the server archive its WAL through Lifeboat (archive_mode and archive_command).</summary>
    ArchiveThroughLifeboat,

    /// <summary>Spool a restore's archive in a directory that exists and this user may write.</summary>
    ChooseSpoolDirectory,

    /// <summary>Restore a tablespace into another, empty directory; <see cref="Remedy.Subject"/> is its OID.</summary>
    RelocateTablespace,

    /// <summary>Name the OS user the restored files are to belong to (the one the server will run as).</summary>
    NameDataDirectoryOwner,

    /// <summary>Recover along another timeline than the latest; <see cref="Remedy.Subject"/> is its number.</summary>
    ChooseTargetTimeline,

    /// <summary>Check how the source's connections use TLS: the mode, the certificate authority file and the host the certificate must name; <see cref="Remedy.Subject"/> is the source type.</summary>
    CheckSourceTls,

    /// <summary>Restore to another path, or replace the existing file or directory there.</summary>
    RestoreToAnotherPathOrReplace,

    /// <summary>Restore into a running Redis that holds no keys, or write beside the keys it has.</summary>
    WriteIntoNonEmptyServer,

    /// <summary>Restore into a running Redis that holds no function libraries, load the RDB's beside the ones it has, or leave them out.</summary>
    WriteBesideServerFunctions,

    /// <summary>Overwrite the keys (and function libraries) the target Redis already has, or leave them out of the restore.</summary>
    ReplaceExistingKeys,

    /// <summary>Check the user and password given for the Redis a restore writes into.</summary>
    CheckTargetCredentials,

    /// <summary>Check the address given for the Redis a restore writes into, and that it runs.</summary>
    CheckTargetAddress,

    /// <summary>Check how a restore speaks TLS to the Redis it writes into, and the certificate authority it trusts.</summary>
    CheckTargetTls,

    /// <summary>Check a source bucket's configured S3 endpoint and that the server is reachable.</summary>
    CheckSourceS3Endpoint,

    /// <summary>Check a source bucket's configured S3 access and secret keys.</summary>
    CheckSourceS3Credentials,

    /// <summary>Check a source bucket's configured name and endpoint.</summary>
    CheckSourceS3Bucket,

    /// <summary>Restore into a bucket (or prefix) that holds no objects, or write over what it holds.</summary>
    WriteIntoNonEmptyBucket,

    /// <summary>Name the bucket a bucket restore writes into: the configured source is not the bucket the snapshot was taken of.</summary>
    NameTargetBucket,

    /// <summary>Check the S3 endpoint a bucket restore writes to and that the server is reachable.</summary>
    CheckTargetS3Endpoint,

    /// <summary>Check the access and secret keys a bucket restore writes with.</summary>
    CheckTargetS3Credentials,

    /// <summary>Check the bucket a bucket restore writes into: its name, its endpoint, and that it exists.</summary>
    CheckTargetS3Bucket,

    /// <summary>List the versions of a source object (its key is named in the message), to choose one.</summary>
    ListKeyVersions,

    /// <summary>Leave out of a restore into a running Redis the databases the target cannot take.</summary>
    LeaveOutDatabases,

    /// <summary>Restore again into a Redis a failed restore left partly written, overwriting what it wrote.</summary>
    RestoreAgainOverPartialRestore,

    /// <summary>A mirror's removals were refused as too many: check the source, then allow them or raise the limit.</summary>
    AllowMirrorRemovals,

    /// <summary>Restore the Redis snapshot as a file (or append-only directory) instead of into a running server, for a server that can load it.</summary>
    RestoreToFile,

    /// <summary>Choose keys of a Redis snapshot that leave out what the target cannot hold, or restore it as a file for a newer Redis.</summary>
    ChooseOtherKeysOrRestoreToFile,

    /// <summary>Configure the client certificate (and its key) a Redis source's connections present.</summary>
    GiveRedisClientCertificate,

    /// <summary>Give the client certificate (and its key) a restore presents to the Redis it writes into.</summary>
    GiveTargetClientCertificate,

    /// <summary>Restore into a Redis that evicts keys although the backup's memory use says they would not fit (an eviction during the restore still fails it).</summary>
    IgnoreMemoryEstimate,
}
