namespace Lifeboat.Storage;

/// <summary>Thrown when a key or prefix breaks the rules of <see cref="ObjectKey"/>.</summary>
public sealed class InvalidObjectKeyException(string key, string reason)
    : LifeboatException(
        $"invalid object key '{key}': {reason}",
        "keys are relative '/'-separated names without empty, '.' or '..' segments, e.g. 'locks/20260215T020000Z-1a2b3c4d'",
        FailureKind.Usage)
{
    /// <summary>The rejected key.</summary>
    public string Key { get; } = key;
}
