using System.Text;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>Values of a Redis 7.2 RDB (version 11) made into payloads a Redis 7.0 (RDB 10) restores.</summary>
public sealed class RdbValueConversionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_value_of_the_7_2_file_converts_to_a_payload_that_walks_cleanly_as_RDB_10()
    {
        foreach (var key in await Keys())
        {
            var converted = await RdbValueConversion.ForVersionAsync(key.Value, 10, Ct);
            Assert.NotNull(converted);

            var payload = RdbDumpPayload.Create(converted.Value.Span, 10);
            var opened = RdbDumpPayload.Open(payload);
            Assert.NotNull(opened);
            Assert.Equal(10, opened.Value.RdbVersion);
            await WalksCleanlyAsync(opened.Value.Value, 10);
        }
    }

    [Fact]
    public async Task Types_RDB_10_knows_are_kept_as_they_are()
    {
        foreach (var key in (await Keys()).Where(k => k.Type <= RdbType.StreamListpacks2))
            Assert.Equal(key.Value.ToArray(), (await RdbValueConversion.ForVersionAsync(key.Value, 10, Ct))!.Value.ToArray());
    }

    [Fact]
    public async Task A_listpack_set_becomes_a_plain_set_of_the_same_members()
    {
        var set = (await Keys()).Single(k => RdbTestFiles.KeyText(k) == "set:small");
        Assert.Equal(RdbType.SetListpack, set.Type);

        var converted = (await RdbValueConversion.ForVersionAsync(set.Value, 10, Ct))!.Value;

        Assert.Equal(RdbType.Set, converted.Span[0]);
        Assert.Equal(["red", "green", "blue"], RdbValueStrings.Of(converted.ToArray()).Select(hex => Encoding.UTF8.GetString(Convert.FromHexString(hex))));
    }

    [Fact]
    public async Task A_listpack_set_of_small_and_large_integers_keeps_their_values()
    {
        // A listpack with 7-bit, 13-bit, 16-, 24-, 32- and 64-bit integers and a string (lpAppend's encodings).
        byte[] entries =
        [
            0x05, 0x01, // 5
            0xdf, 0xff, 0x02, // -1 as 13-bit
            0xf1, 0x00, 0x80, 0x03, // -32768
            0xf2, 0x00, 0x00, 0x80, 0x04, // -8388608
            0xf3, 0x00, 0x00, 0x00, 0x80, 0x05, // int.MinValue
            0xf4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x09, // long.MaxValue
            0x82, (byte)'h', (byte)'i', 0x03,
        ];
        var listpack = new byte[6 + entries.Length + 1];
        BitConverter.GetBytes(listpack.Length).CopyTo(listpack, 0);
        BitConverter.GetBytes((ushort)7).CopyTo(listpack, 4);
        entries.CopyTo(listpack, 6);
        listpack[^1] = 0xff;
        byte[] value = [RdbType.SetListpack, (byte)listpack.Length, .. listpack];

        var converted = (await RdbValueConversion.ForVersionAsync(value, 10, Ct))!.Value;

        Assert.Equal(
            ["5", "-1", "-32768", "-8388608", "-2147483648", "9223372036854775807", "hi"],
            RdbValueStrings.Of(converted.ToArray()).Select(hex => Encoding.ASCII.GetString(Convert.FromHexString(hex))));
    }

    [Fact]
    public async Task A_type_21_stream_becomes_type_19_without_its_two_consumers_active_times()
    {
        var stream = (await Keys()).Single(k => RdbTestFiles.KeyText(k) == "stream:events");
        Assert.Equal(RdbType.StreamListpacks3, stream.Type);

        var converted = (await RdbValueConversion.ForVersionAsync(stream.Value, 10, Ct))!.Value;

        Assert.Equal(RdbType.StreamListpacks2, converted.Span[0]);
        Assert.Equal(stream.Value.Length - (2 * 8), converted.Length);
    }

    [Fact]
    public async Task A_type_RDB_9_cannot_hold_has_no_conversion()
    {
        var hash = (await Keys()).Single(k => RdbTestFiles.KeyText(k) == "hash:small");

        Assert.Null(await RdbValueConversion.ForVersionAsync(hash.Value, 9, Ct));
    }

    private static async Task<List<RdbKeyValue>> Keys() =>
        (await RdbTestFiles.ReadAllAsync(RdbTestFiles.Bytes(RdbTestFiles.AllTypes))).OfType<RdbKeyValue>().ToList();

    private static async Task WalksCleanlyAsync(ReadOnlyMemory<byte> value, int version)
    {
        using var input = new RdbInput(new MemoryStream(value.ToArray()));
        var type = await input.ReadByteAsync(Ct);
        await new RdbValueWalker(input, version).WalkAsync(type, 0, Ct);
        Assert.True(await input.AtEndAsync(Ct), $"type {type} left bytes after its value");
    }
}
