using System.Text;

namespace Lifeboat.Redis.Rdb;

/// <summary>A function library's name, from the "name=…" of its first line ("#!lua name=mylib").</summary>
internal static class FunctionLibraryName
{
    public static string? Of(ReadOnlySpan<byte> code)
    {
        var lineEnd = code.IndexOf((byte)'\n');
        var firstLine = Encoding.UTF8.GetString(lineEnd < 0 ? code : code[..lineEnd]);
        if (!firstLine.StartsWith("#!", StringComparison.Ordinal))
            return null;
        foreach (var word in firstLine.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (word.StartsWith("name=", StringComparison.Ordinal))
                return word["name=".Length..];
        }

        return null;
    }
}
