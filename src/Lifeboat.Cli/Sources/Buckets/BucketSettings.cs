using Lifeboat.Cli.Configuration;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>One entry of buckets:.</summary>
public sealed record BucketSettings(
    string Name,
    string? Endpoint,
    string Region,
    string Bucket,
    string Prefix,
    SecretReference AccessKey,
    SecretReference SecretKey,
    int Transfers,
    int NoncurrentDays,
    int MirrorRemoveLimitPercent) : ISourceSettings;
