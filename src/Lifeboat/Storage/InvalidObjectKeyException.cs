namespace Lifeboat.Storage;

/// <summary>Thrown when a key or prefix breaks the rules of <see cref="ObjectKey"/>.</summary>
public sealed class InvalidObjectKeyException(string key, string reason)
    : LifeboatException(
        $"invalid object key '{key}': {reason}",
        "keys are relative '/'-separated names without empty, '.' or '..' segments, e.g. 'postgres/db/dumps/x'",
        FailureKind.Usage)
{
    /// <summary>The rejected key.</summary>
    public string Key { get; } = key;
}
