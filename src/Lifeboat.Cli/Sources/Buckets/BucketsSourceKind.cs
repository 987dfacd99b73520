using Lifeboat.Buckets;
using Lifeboat.Buckets.Source;
using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>Buckets as the command line knows them: the buckets: section, 'backup buckets', 'restore buckets', their summary fields and how 'show' describes a snapshot.</summary>
internal static class BucketsSourceKind
{
    /// <summary>The registration.</summary>
    public static SourceKind Kind { get; } = new(
        BucketSnapshotInfo.SourceType,
        BucketsSection.Declaration,
        BucketsBackupCommand.Create,
        BucketsRestoreCommand.Create,
        manifest =>
        {
            if (manifest.Kind != BucketSnapshotInfo.Kind)
                return [];
            var info = BucketSnapshotInfo.Of(manifest);
            return new()
            {
                ["objects"] = CliJson.Number(info.Objects),
                ["versions"] = CliJson.Number(info.Versions),
                ["bytes"] = CliJson.Number(info.Bytes),
                ["newBytesStored"] = CliJson.Number(info.NewBytesStored),
            };
        })
    {
        Checks = BucketsChecks.Steps,
        DescribeDetails = BucketSnapshotDescription.Of,
        KindDetail = BucketSnapshotDescription.KindDetail,
        Verify = BucketsSnapshotCheck.RunAsync,
        OpenArtifact = BucketsArtifact.OpenAsync,
    };

    /// <summary>The configured bucket a command works on: the one named, or the only one; its keys read from the environment.</summary>
    public static BucketSource Pick(LifeboatSettings settings, string? name) =>
        ToSource(SourcePicker.Pick<BucketSettings>(settings, BucketsSection.Declaration, name));

    /// <summary>The source one buckets: entry configures, its keys read from the environment.</summary>
    public static BucketSource ToSource(BucketSettings chosen) => new()
    {
        Name = chosen.Name,
        Endpoint = new BucketEndpoint(chosen.Endpoint, chosen.Region, chosen.Bucket, chosen.Prefix, chosen.AccessKey.Resolve(), chosen.SecretKey.Resolve()),
        Transfers = chosen.Transfers,
        NoncurrentDays = chosen.NoncurrentDays,
    };
}
