using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>The strings a serialized value of the test files' non-stream types is made of, decoded (LZF undone), as hex.</summary>
internal static class RdbValueStrings
{
    public static List<string> Of(byte[] value)
    {
        using var input = new RdbInput(new MemoryStream(value));
        return OfAsync(input).AsTask().GetAwaiter().GetResult();
    }

    private static async ValueTask<List<string>> OfAsync(RdbInput input)
    {
        var ct = CancellationToken.None;
        var strings = new List<string>();
        var type = await input.ReadByteAsync(ct);
        async ValueTask Add() => strings.Add(Convert.ToHexString(await input.ReadStringAsync(ct)));
        switch (type)
        {
            case RdbType.String or RdbType.SetIntset or RdbType.HashListpack or RdbType.ZSetListpack or RdbType.SetListpack:
                await Add();
                break;
            case RdbType.Set or RdbType.Hash:
                var count = await input.ReadCountAsync(ct) * (type == RdbType.Hash ? 2UL : 1UL);
                for (ulong i = 0; i < count; i++)
                    await Add();
                break;
            case RdbType.ZSet2:
                var members = await input.ReadCountAsync(ct);
                for (ulong i = 0; i < members; i++)
                {
                    await Add();
                    strings.Add(Convert.ToHexString(await input.ReadBytesAsync(8, ct)));
                }

                break;
            case RdbType.ListQuicklist2:
                var nodes = await input.ReadCountAsync(ct);
                for (ulong i = 0; i < nodes; i++)
                {
                    strings.Add((await input.ReadCountAsync(ct)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    await Add();
                }

                break;
            default:
                throw new InvalidOperationException($"the test files hold no type {type}");
        }

        Assert.True(await input.AtEndAsync(ct));
        return strings;
    }
}
