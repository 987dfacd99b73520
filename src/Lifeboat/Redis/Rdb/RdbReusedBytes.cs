using System.Globalization;

namespace Lifeboat.Redis.Rdb;

/// <summary>
/// A string read from an RDB into one array reused from string to string (a key, for a reader that only counts keys), so
/// reading one allocates nothing once the array is as long as the longest; what it holds is valid until the next read.
/// </summary>
internal sealed class RdbReusedBytes
{
    // Room for a 20-digit integer and most keys from the start.
    private byte[] _bytes = new byte[64];
    private int _length;

    /// <summary>The string last read.</summary>
    public ReadOnlyMemory<byte> Memory => _bytes.AsMemory(0, _length);

    /// <summary>Holds a copy of <paramref name="bytes"/>.</summary>
    public void Set(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _bytes.Length)
            _bytes = new byte[Math.Max(bytes.Length, (int)Math.Min(Array.MaxLength, _bytes.Length * 2L))];
        bytes.CopyTo(_bytes);
        _length = bytes.Length;
    }

    /// <summary>Holds <paramref name="value"/> as decimal text, as Redis gives back an integer-encoded string.</summary>
    public void SetDecimal(long value)
    {
        // 64 bytes hold any long's digits and sign.
        value.TryFormat(_bytes, out _length, provider: CultureInfo.InvariantCulture);
    }
}
