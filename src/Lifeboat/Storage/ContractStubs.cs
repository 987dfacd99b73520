// TEMPORARY: stands in for the storage branch until it merges. Delete on merge.
#pragma warning disable CS1591
namespace Lifeboat.Storage;

public sealed record S3Location(string Bucket, string Prefix, string? Endpoint, string Region, string AccessKey, string SecretKey) { public int PartSize { get; init; } }

public sealed class S3ObjectStore(S3Location location) : IObjectStore
{
    public string Location => location.Bucket;
    public Task EnsureBucketAsync(CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken) => throw new NotImplementedException();
    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task DeleteAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public sealed class FileObjectStore(string root) : IObjectStore
{
    public string Location => root;
    public Task<ObjectUpload> CreateAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken) => throw new NotImplementedException();
    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
    public Task DeleteAsync(string key, CancellationToken cancellationToken) => throw new NotImplementedException();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
