namespace Lifeboat.Buckets.Source;

/// <summary>
/// Whether a read must ask for the object's tags, or may trust the GET's x-amz-tagging-count (design §4.2): only once a
/// run of this source saw the server send the header, since some servers never do and its absence then proves nothing.
/// The proof counts from the moment it is seen, in this run too: a first run of a million objects would otherwise pay a
/// GetObjectTagging per object to the end, though its first tagged object already showed that the header is sent.
/// </summary>
/// <param name="headerTrusted">An earlier snapshot recorded that the server sends the header.</param>
public sealed class TagReading(bool headerTrusted)
{
    private int _seen;

    /// <summary>GetObjectTagging goes out with every GET, because the header's absence cannot be trusted yet.</summary>
    public bool AskAlways => !HeaderSeen;

    /// <summary>True when this run or an earlier one saw a tag count in a GET that GetObjectTagging confirmed.</summary>
    public bool HeaderSeen => headerTrusted || Volatile.Read(ref _seen) == 1;

    /// <summary>Notes a GET's tag count next to the tags it counted.</summary>
    public void Observe(int? tagCount, int tags)
    {
        if (tagCount > 0 && tags > 0)
            Volatile.Write(ref _seen, 1);
    }
}
