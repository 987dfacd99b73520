namespace Lifeboat.Storage;

/// <summary>Turns a repository URL into the object store it names.</summary>
public static class ObjectStoreFactory
{
    /// <summary>
    /// Opens <c>s3://bucket/prefix</c>, <c>file:///absolute/path</c>, or a plain (relative or absolute) directory path.
    /// </summary>
    /// <param name="repositoryUrl">The repository URL.</param>
    /// <param name="s3Location">
    /// Builds the S3 settings from the URL's bucket and prefix; called only for an s3:// URL, so a file
    /// repository never needs S3 credentials.
    /// </param>
    public static IObjectStore Open(string repositoryUrl, Func<string, string, S3Location>? s3Location = null)
    {
        ArgumentNullException.ThrowIfNull(repositoryUrl);
        if (repositoryUrl.Trim().Length == 0)
            throw BadUrl(repositoryUrl, "it is empty");
        if (repositoryUrl.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
            return OpenS3(repositoryUrl, s3Location);
        if (repositoryUrl.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            return new FileObjectStore(LocalPathOf(repositoryUrl));
        if (repositoryUrl.Contains("://", StringComparison.Ordinal))
            throw BadUrl(repositoryUrl, "only s3:// and file:// URLs or plain directory paths are supported");
        return new FileObjectStore(repositoryUrl);
    }

    private static S3ObjectStore OpenS3(string repositoryUrl, Func<string, string, S3Location>? s3Location)
    {
        var rest = repositoryUrl["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Length == 0)
            throw BadUrl(repositoryUrl, "it names no bucket");
        if (s3Location is null)
            throw new LifeboatException($"repository {repositoryUrl} is on S3 but no S3 settings were given", kind: FailureKind.Usage) { Remedy = new(RemedyAction.ConfigureS3) };
        return new S3ObjectStore(s3Location(bucket, prefix));
    }

    private static string LocalPathOf(string repositoryUrl)
    {
        if (!Uri.TryCreate(repositoryUrl, UriKind.Absolute, out var uri) || !uri.IsFile)
            throw BadUrl(repositoryUrl, "it is not a valid file URL");
        if (!uri.IsLoopback && uri.Host.Length > 0)
            throw BadUrl(repositoryUrl, "a file URL must name a local path: file:///absolute/path");
        return uri.LocalPath;
    }

    private static LifeboatException BadUrl(string repositoryUrl, string reason) =>
        new($"repository URL '{repositoryUrl}' is not usable: {reason}", "use s3://bucket/prefix, file:///absolute/path or a directory path", FailureKind.Usage);
}
