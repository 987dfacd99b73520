using System.Globalization;
using System.Text;

namespace Lifeboat.Redis.Rdb;

/// <summary>A key as messages show it: printable ASCII as is, other bytes as \xNN, long keys shortened.</summary>
public static class RdbKeyText
{
    private const int MaxShown = 80;

    /// <summary>The key quoted for a message.</summary>
    public static string Quote(ReadOnlySpan<byte> key)
    {
        var text = new StringBuilder("'");
        foreach (var b in key[..Math.Min(key.Length, MaxShown)])
        {
            if (b is >= 0x20 and < 0x7f and not (byte)'\\' and not (byte)'\'')
                text.Append((char)b);
            else
                text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
        }

        if (key.Length > MaxShown)
            text.Append(CultureInfo.InvariantCulture, $"… ({key.Length} bytes)");
        return text.Append('\'').ToString();
    }
}
