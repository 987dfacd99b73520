namespace Lifeboat.Buckets.Target;

/// <summary>
/// The stored content of one object did not read back whole and verified (damaged, cut short or missing), so the
/// object was not written: a single PUT never started, a multipart upload was aborted. The others go on.
/// </summary>
public sealed class ContentUnreadableException(string key, LifeboatException cause)
    : LifeboatException(cause.Message, cause.Hint, FailureKind.Failed, cause)
{
    /// <summary>The key not written.</summary>
    public string Key { get; } = key;

    /// <summary>Why the content did not read, with its remedy.</summary>
    public LifeboatException Cause { get; } = cause;
}
