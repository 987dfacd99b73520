using System.Buffers;
using System.Runtime.InteropServices;

namespace Lifeboat.Redis.Rdb;

/// <summary>
/// Makes a serialized value readable by an older Redis: a type the target knows is kept as it is (only the payload's
/// version changes), and the types Redis 7.2 added become their 7.0 form: a listpack set a plain set, a stream of
/// type 21 one of type 19 without the consumers' active times (rdbLoadObject then takes the seen time for it).
/// </summary>
internal static class RdbValueConversion
{
    /// <summary>True when a value of <paramref name="type"/> can be made readable by an RDB <paramref name="targetVersion"/> server.</summary>
    public static bool CanConvert(byte type, int targetVersion) =>
        (RdbType.IntroducedIn(type) is { } since && since <= targetVersion)
        || type == RdbType.SetListpack
        || (type == RdbType.StreamListpacks3 && targetVersion >= RdbType.IntroducedIn(RdbType.StreamListpacks2));

    /// <summary>
    /// <paramref name="value"/> (type byte first) as RDB <paramref name="targetVersion"/> reads it, or null when its type
    /// has no form that version knows. Throws <see cref="RdbFormatException"/> when a value to convert is malformed.
    /// </summary>
    public static async ValueTask<ReadOnlyMemory<byte>?> ForVersionAsync(ReadOnlyMemory<byte> value, int targetVersion, CancellationToken cancellationToken)
    {
        var type = value.Span[0];
        if (RdbType.IntroducedIn(type) is { } since && since <= targetVersion)
            return value;
        return type switch
        {
            RdbType.SetListpack => await PlainSetAsync(value, cancellationToken),
            RdbType.StreamListpacks3 when targetVersion >= RdbType.IntroducedIn(RdbType.StreamListpacks2) => await StreamWithoutActiveTimesAsync(value, cancellationToken),
            _ => null,
        };
    }

    // The encoding after the type byte, read where it lies rather than copied.
    private static MemoryStream Body(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value[1..], out var body)
            ? new MemoryStream(body.Array!, body.Offset, body.Count, writable: false)
            : new MemoryStream(value[1..].ToArray(), writable: false);

    private static async ValueTask<ReadOnlyMemory<byte>?> PlainSetAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        using var input = new RdbInput(Body(value));
        var listpack = await input.ReadStringAsync(cancellationToken);
        var members = Listpack.Elements(listpack)
            ?? throw new RdbFormatException(1, "its set listpack is malformed");
        var set = new ArrayBufferWriter<byte>(listpack.Length + 16);
        set.Write([RdbType.Set]);
        RdbWriter.WriteLength(set, (ulong)members.Count);
        foreach (var member in members)
            RdbWriter.WriteString(set, member);
        return set.WrittenMemory;
    }

    private static async ValueTask<ReadOnlyMemory<byte>?> StreamWithoutActiveTimesAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        using var input = new RdbInput(Body(value));
        input.StartCapture(RdbType.StreamListpacks2);
        await new RdbValueWalker(input, RdbReader.NewestVersion) { DropStreamActiveTimes = true }
            .WalkAsync(RdbType.StreamListpacks3, 0, cancellationToken);
        return input.EndCapture().ToArray();
    }
}
