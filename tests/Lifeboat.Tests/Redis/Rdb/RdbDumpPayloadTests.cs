using System.Text;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>The DUMP payloads RESTORE and FUNCTION RESTORE take.</summary>
public sealed class RdbDumpPayloadTests
{
    [Fact]
    public void A_string_payload_is_byte_for_byte_what_Redis_7_0_DUMP_gives()
    {
        // redis-cli DUMP of "hello" on Debian's redis-server 7.0.15.
        byte[] dumped = [0x00, 0x05, .. "hello"u8, 0x0a, 0x00, 0x63, 0x72, 0xdf, 0x76, 0x65, 0x34, 0x20, 0x0a];

        Assert.Equal(dumped, RdbDumpPayload.Create([0x00, 0x05, .. "hello"u8], 10));
    }

    [Fact]
    public void A_payload_opens_to_its_value_and_version()
    {
        var payload = RdbDumpPayload.Create([0x00, 0x01, (byte)'x'], 11);

        var opened = RdbDumpPayload.Open(payload);

        Assert.NotNull(opened);
        Assert.Equal([0x00, 0x01, (byte)'x'], opened.Value.Value.ToArray());
        Assert.Equal(11, opened.Value.RdbVersion);
    }

    [Fact]
    public void A_payload_with_a_flipped_bit_does_not_open()
    {
        var payload = RdbDumpPayload.Create([0x00, 0x01, (byte)'x'], 11);
        payload[2] ^= 0x10;

        Assert.Null(RdbDumpPayload.Open(payload));
    }

    [Fact]
    public async Task A_function_library_payload_holds_the_opcode_and_the_code()
    {
        var code = Encoding.UTF8.GetBytes("#!lua name=lib\nredis.register_function('f', function() return 1 end)");

        var opened = RdbDumpPayload.Open(RdbDumpPayload.ForFunctionLibrary(code, 10))!.Value;

        using var input = new RdbInput(new MemoryStream(opened.Value.ToArray()));
        Assert.Equal(245, await input.ReadByteAsync(TestContext.Current.CancellationToken));
        Assert.Equal(code, await input.ReadStringAsync(TestContext.Current.CancellationToken));
        Assert.True(await input.AtEndAsync(TestContext.Current.CancellationToken));
    }
}
