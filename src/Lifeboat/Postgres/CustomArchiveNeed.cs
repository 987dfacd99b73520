namespace Lifeboat.Postgres;

/// <summary>What a custom-archive grammar waits for next, as <see cref="CustomArchivePushParser"/> feeds it.</summary>
internal readonly record struct CustomArchiveNeed(CustomArchiveNeed.Kinds Kind, long Count, string? Why = null)
{
    /// <summary>The kinds of thing a grammar can wait for.</summary>
    public enum Kinds
    {
        /// <summary>A few bytes to decode.</summary>
        Field,

        /// <summary>A data chunk's length field, before which whole chunks may be passed over in one go.</summary>
        ChunkLength,

        /// <summary>A run of bytes to pass over.</summary>
        Over,

        /// <summary>A run of bytes to keep, as the text of a string.</summary>
        Kept,

        /// <summary>Nothing more: the grammar gave up on what it read.</summary>
        Unreadable,
    }

    /// <summary>A field of <paramref name="count"/> bytes, read whole before the grammar goes on.</summary>
    public static CustomArchiveNeed Bytes(int count) => new(Kinds.Field, count);

    /// <summary>The length field of a data chunk (<paramref name="count"/> bytes, as an integer of the archive).</summary>
    public static CustomArchiveNeed ChunkLength(int count) => new(Kinds.ChunkLength, count);

    /// <summary><paramref name="count"/> bytes that the grammar does not look at.</summary>
    public static CustomArchiveNeed Over(long count) => new(Kinds.Over, count);

    /// <summary><paramref name="count"/> bytes of text that the grammar reads once they are all there.</summary>
    public static CustomArchiveNeed Kept(long count) => new(Kinds.Kept, count);

    /// <summary>The end of understanding, and why.</summary>
    public static CustomArchiveNeed Unreadable(string why) => new(Kinds.Unreadable, 0, why);

    /// <summary>Whether the need is met by a field of <paramref name="filled"/> bytes or a run of <paramref name="passed"/>.</summary>
    public bool IsMet(int filled, long passed) => Kind is Kinds.Over or Kinds.Kept ? passed == Count : filled == Count;
}
