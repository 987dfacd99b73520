namespace Lifeboat.Format;

/// <summary>How an envelope's plaintext was compressed before encryption; the value is the header byte.</summary>
internal enum CompressionAlgorithm : byte
{
    /// <summary>Stored as is.</summary>
    None = 0,

    /// <summary>One zstd frame.</summary>
    Zstd = 1,
}
