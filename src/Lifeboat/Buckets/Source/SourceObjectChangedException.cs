namespace Lifeboat.Buckets.Source;

/// <summary>A source object was replaced while it was being read: its ETag no longer matched when the read resumed.</summary>
public sealed class SourceObjectChangedException(string key, long offset, Exception? inner = null)
    : LifeboatException($"source object '{key}' changed while it was being read (at byte {offset})", "back up again; an object rewritten this often cannot be read whole", FailureKind.Failed, inner)
{
    /// <summary>The object's key.</summary>
    public string Key { get; } = key;
}
