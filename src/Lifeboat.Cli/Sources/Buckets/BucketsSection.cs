using System.Globalization;
using Lifeboat.Buckets;
using Lifeboat.Buckets.Index;
using Lifeboat.Buckets.Mirror;
using Lifeboat.Cli.Configuration;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>The buckets: source section, declared once: its keys and how one entry binds to <see cref="BucketSettings"/>.</summary>
internal static class BucketsSection
{
    private static readonly ConfigKey Name = new("name", ConfigValueType.Text, "name snapshots are filed under (`buckets/<name>/…`)")
    {
        Required = true,
    };

    private static readonly ConfigKey Endpoint = new(
        "endpoint", ConfigValueType.Url, "the source's S3 endpoint, e.g. `http://minio:9000` (MinIO, Ceph radosgw or any S3-compatible server; path-style addressing is used)")
    {
        DefaultNote = "AWS",
    };

    private static readonly ConfigKey Region = new("region", ConfigValueType.Text, "signing region") { Default = "us-east-1" };

    private static readonly ConfigKey Bucket = new("bucket", ConfigValueType.Text, "the bucket to back up") { Required = true };

    private static readonly ConfigKey Prefix = new(
        "prefix", ConfigValueType.Text, "back up only keys starting with this, as S3 matches a prefix (`uploads/`; keys are recorded whole)")
    {
        DefaultNote = "the whole bucket",
    };

    private static readonly ConfigKey AccessKeyEnv = new(
        "accessKeyEnv", ConfigValueType.SecretReference, "variable holding the access key; read-only access suffices (list, get, get tagging, get versioning)")
    {
        Required = true,
    };

    private static readonly ConfigKey SecretKeyEnv = new("secretKeyEnv", ConfigValueType.SecretReference, "variable holding the secret key") { Required = true };

    private static readonly ConfigKey Transfers = new(
        "transfers", ConfigValueType.Int, "objects read and stored at once (at most 2 of them large, 4 MiB or more)")
    {
        Default = BucketSource.DefaultTransfers.ToString(CultureInfo.InvariantCulture),
        Min = 1,
        Max = 64,
    };

    private static readonly ConfigKey NoncurrentDays = new(
        "noncurrentDays", ConfigValueType.Int,
        "days a version is kept in the snapshots' history after it stopped being current (overwritten, deleted, or expired at the source); `--as-of` restores are exact that far back")
    {
        Default = NoncurrentRetention.DefaultNoncurrentDays.ToString(CultureInfo.InvariantCulture),
        Min = 0,
        Max = 36_500,
    };

    private static readonly ConfigKey MirrorRemoveLimitPercent = new(
        "mirrorRemoveLimitPercent", ConfigValueType.Int,
        "the most of a mirror's objects, in percent, one `lifeboat mirror --remove` may remove; more, or any removal for a source that lists nothing, is refused without `--force`")
    {
        Default = BucketMirrorRequest.DefaultRemoveLimitPercent.ToString(CultureInfo.InvariantCulture),
        Min = 0,
        Max = 100,
    };

    /// <summary>The buckets: section, registered with the rest of buckets in <see cref="BucketsSourceKind"/>.</summary>
    public static readonly SourceSection Declaration = new(
        BucketSnapshotInfo.SourceType,
        new ConfigSection(BucketSnapshotInfo.SourceType, IsList: true, [Name, Endpoint, Region, Bucket, Prefix, AccessKeyEnv, SecretKeyEnv, Transfers, NoncurrentDays, MirrorRemoveLimitPercent]),
        Bind);

    private static BucketSettings Bind(SectionValues entry) => new(
        entry.Text(Name),
        entry.OptionalText(Endpoint),
        entry.Text(Region),
        entry.Text(Bucket),
        entry.OptionalText(Prefix) ?? "",
        entry.Secret(AccessKeyEnv),
        entry.Secret(SecretKeyEnv),
        entry.Int(Transfers),
        entry.Int(NoncurrentDays),
        entry.Int(MirrorRemoveLimitPercent));
}
