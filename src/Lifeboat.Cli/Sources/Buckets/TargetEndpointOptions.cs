using System.CommandLine;
using Lifeboat.Buckets.Source;
using Lifeboat.Cli.Configuration;

namespace Lifeboat.Cli.Sources.Buckets;

/// <summary>
/// Where a bucket restore or mirror writes: --to-bucket, --to-endpoint, --to-region and the variables holding the keys
/// to write with. Each defaults to the configured source's own, so without any of them a restore goes back into the
/// source (a mirror must name its bucket).
/// </summary>
internal sealed class TargetEndpointOptions
{
    private readonly Option<string?> _bucket;

    private readonly Option<string?> _endpoint = new("--to-endpoint")
    {
        Description = "The S3 endpoint of the bucket to write into, e.g. http://minio-dr:9000 (default: buckets[].endpoint); needs --to-access-key-env and --to-secret-key-env",
    };

    private readonly Option<string?> _region = new("--to-region") { Description = "The signing region of --to-endpoint (default: buckets[].region)" };

    private readonly Option<string?> _accessKeyEnv = new("--to-access-key-env")
    {
        Description = "Environment variable holding the access key to write with (default: buckets[].accessKeyEnv, which may be read-only)",
    };

    private readonly Option<string?> _secretKeyEnv = new("--to-secret-key-env") { Description = "Environment variable holding the secret key to write with (default: buckets[].secretKeyEnv)" };

    /// <summary>The options; with <paramref name="bucketRequired"/>, --to-bucket has no default and must be given.</summary>
    public TargetEndpointOptions(bool bucketRequired = false) =>
        _bucket = bucketRequired
            ? new("--to-bucket") { Description = "The bucket to write into; it must exist", Required = true }
            : new("--to-bucket") { Description = "The bucket to write into (default: the source bucket, buckets[].bucket); it must exist" };

    /// <summary>The options, to add to the command.</summary>
    public IEnumerable<Option> All => [_bucket, _endpoint, _region, _accessKeyEnv, _secretKeyEnv];

    /// <summary>True when --to-bucket names the bucket; without it the target is the configured source bucket.</summary>
    public bool NamesBucket(ParseResult parse) => parse.GetValue(_bucket) is not null;

    /// <summary>The target the options give, with <paramref name="source"/>'s settings for what they leave out; its keys read from the environment.</summary>
    public BucketEndpoint Read(ParseResult parse, BucketSettings source)
    {
        var endpoint = parse.GetValue(_endpoint);
        var (accessKeyEnv, secretKeyEnv) = (parse.GetValue(_accessKeyEnv), parse.GetValue(_secretKeyEnv));
        if ((accessKeyEnv is null) != (secretKeyEnv is null))
            throw new LifeboatException("give both --to-access-key-env and --to-secret-key-env, or neither", kind: FailureKind.Usage);
        if (endpoint is not null && accessKeyEnv is null)
        {
            throw new LifeboatException(
                "--to-endpoint needs --to-access-key-env and --to-secret-key-env: the source's keys belong to its own server", kind: FailureKind.Usage);
        }

        if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            throw new LifeboatException($"--to-endpoint takes a URL such as http://minio-dr:9000, not '{endpoint}'", kind: FailureKind.Usage);
        if (parse.GetValue(_region) is not null && endpoint is null)
            throw new LifeboatException("--to-region applies with --to-endpoint only", kind: FailureKind.Usage);
        if (parse.GetValue(_bucket) is { Length: 0 })
            throw new LifeboatException("--to-bucket needs a bucket name", kind: FailureKind.Usage);
        var accessKey = accessKeyEnv is null ? source.AccessKey : new SecretReference(accessKeyEnv, "--to-access-key-env", "this command");
        var secretKey = secretKeyEnv is null ? source.SecretKey : new SecretReference(secretKeyEnv, "--to-secret-key-env", "this command");
        return new BucketEndpoint(
            endpoint ?? source.Endpoint,
            parse.GetValue(_region) ?? source.Region,
            parse.GetValue(_bucket) ?? source.Bucket,
            "",
            accessKey.Resolve(),
            secretKey.Resolve());
    }
}
