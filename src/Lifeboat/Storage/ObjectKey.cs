using System.Text;

namespace Lifeboat.Storage;

/// <summary>The rules every object key and listing prefix must follow, whatever the medium.</summary>
public static class ObjectKey
{
    /// <summary>S3's limit; the file store's path limits are checked by the file system itself.</summary>
    public const int MaxUtf8Bytes = 1024;

    /// <summary>Throws <see cref="InvalidObjectKeyException"/> unless <paramref name="key"/> is a valid key.</summary>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
            throw new InvalidObjectKeyException(key, "it is empty");
        if (key.EndsWith('/'))
            throw new InvalidObjectKeyException(key, "it ends with '/', which names a folder, not an object");
        ValidateSegments(key, key.Split('/'));
    }

    /// <summary>
    /// Throws <see cref="InvalidObjectKeyException"/> unless <paramref name="prefix"/> can start a key:
    /// empty, ending in '/', or ending in part of a segment are all fine.
    /// </summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
            return;
        var segments = prefix.Split('/');
        // The last segment may be a partial name ("2026-" or ""), so only whole segments are judged.
        ValidateSegments(prefix, segments.AsSpan(0, segments.Length - 1));
        ValidateCharacters(prefix);
    }

    private static void ValidateSegments(string key, ReadOnlySpan<string> segments)
    {
        foreach (var segment in segments)
        {
            if (segment.Length == 0)
                throw new InvalidObjectKeyException(key, key.StartsWith('/') ? "it starts with '/' (keys are relative)" : "it has an empty segment ('//')");
            if (segment is "." or "..")
                throw new InvalidObjectKeyException(key, $"it has a '{segment}' segment");
        }

        ValidateCharacters(key);
    }

    private static void ValidateCharacters(string key)
    {
        if (key.Contains('\0', StringComparison.Ordinal))
            throw new InvalidObjectKeyException(key.Replace('\0', '?'), "it contains a NUL character");
        if (Encoding.UTF8.GetByteCount(key) > MaxUtf8Bytes)
            throw new InvalidObjectKeyException(key, $"it is longer than {MaxUtf8Bytes} bytes in UTF-8");
        // A lone surrogate has no UTF-8 form, so it could not round-trip through S3 or a file name.
        if (!IsWellFormedUtf16(key))
            throw new InvalidObjectKeyException(key, "it contains an unpaired UTF-16 surrogate");
    }

    private static bool IsWellFormedUtf16(string key)
    {
        var rest = key.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != System.Buffers.OperationStatus.Done)
                return false;
            rest = rest[used..];
        }

        return true;
    }
}
