namespace Lifeboat.Repository;

/// <summary>
/// A repository record (manifest, config, lock) that was read whole but does not parse, or does not belong where it
/// lies: damage, as opposed to a store that could not be reached. Callers that skip damaged records rethrow the rest.
/// </summary>
public sealed class DamagedRecordException(string message, string? hint = null, Exception? inner = null)
    : LifeboatException(message, hint, FailureKind.Failed, inner);
