namespace Lifeboat.Buckets.Target;

/// <summary>
/// The stored content of one object did not read back whole and verified (damaged, cut short or missing), so the
/// object was not written: a single PUT was cut short or never started, a multipart upload was aborted. The others go on.
/// </summary>
/// <remarks>
/// The cause is a property, not the inner exception: the retry layer looks through inner exceptions for transient
/// ones, and content that did not verify is not sent again.
/// </remarks>
public sealed class ContentUnreadableException(string key, LifeboatException cause)
    : LifeboatException(cause.Message, cause.Hint, FailureKind.Failed)
{
    /// <summary>The key not written.</summary>
    public string Key { get; } = key;

    /// <summary>Why the content did not read, with its remedy.</summary>
    public LifeboatException Cause { get; } = cause;
}
