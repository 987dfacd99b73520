namespace Lifeboat.Format;

/// <summary>Thrown when a stored object fails authentication, is truncated, or carries data after its end.</summary>
public sealed class EnvelopeCorruptException : LifeboatException
{
    /// <summary>Creates the error for <paramref name="objectName"/>, saying what is wrong and, when known, in which chunk.</summary>
    public EnvelopeCorruptException(string objectName, string problem, long? chunkIndex = null, Exception? inner = null)
        : base(
            $"object '{objectName}' is corrupt: {problem}",
            "restore from another backup",
            FailureKind.Failed,
            inner)
    {
        Remedy = new(RemedyAction.CheckRepositoryData);
        ObjectName = objectName;
        ChunkIndex = chunkIndex;
    }

    /// <summary>The object that is corrupt.</summary>
    public string ObjectName { get; }

    /// <summary>The index of the chunk that failed, or null when the header or the object as a whole is at fault.</summary>
    public long? ChunkIndex { get; }
}
