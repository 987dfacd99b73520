namespace Lifeboat.Buckets.Target;

/// <summary>
/// The target refused one object (a key, metadata or tag it does not accept: HTTP 400): that object is not restored,
/// and the others go on.
/// </summary>
public sealed class TargetObjectRejectedException(string key, LifeboatException translated)
    : LifeboatException(translated.Message, translated.Hint, FailureKind.Failed, translated.InnerException)
{
    /// <summary>The key refused.</summary>
    public string Key { get; } = key;
}
