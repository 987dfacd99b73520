using Lifeboat.Redis;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>
/// Counting keys (<see cref="RdbReader.CountKeysAsync"/>) reads what the buffer holds without an async step and makes no
/// entry per key; it must count what reading entries counts and fail where and as that fails, whether the stream gives
/// the bytes whole or a few at a time (which sends every read down the refilling path instead).
/// </summary>
public sealed class RdbCountKeysTests
{
    private static readonly int[] Pieces = [1, 3, 8, int.MaxValue];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(RdbTestFiles.AllTypes)]
    [InlineData(RdbTestFiles.AllTypesLfu)]
    [InlineData(RdbTestFiles.NoCompressNoChecksum)]
    public async Task Counting_gives_each_database_s_keys_and_expiring_keys_as_the_entries_do_however_the_stream_cuts_its_reads(string file)
    {
        var rdb = RdbTestFiles.Bytes(file);
        var expected = (await RdbTestFiles.ReadAllAsync(rdb, keepValues: false)).OfType<RdbKeyValue>().GroupBy(k => k.Db).OrderBy(g => g.Key)
            .Select(g => new RedisKeyspace(g.Key, g.Count(), g.Count(k => k.ExpireAtMs is not null)));

        foreach (var piece in Pieces)
            Assert.Equal(expected, await CountAsync(rdb, piece));
    }

    [Fact]
    public async Task Entries_and_values_read_a_few_bytes_at_a_time_are_those_read_whole()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        var whole = Describe(await ReadEntriesAsync(rdb, int.MaxValue));

        foreach (var piece in Pieces)
            Assert.Equal(whole, Describe(await ReadEntriesAsync(rdb, piece)));
    }

    [Fact]
    public async Task Every_truncated_copy_fails_counting_with_the_message_reading_entries_gives()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        for (var cut = 9; cut < rdb.Length; cut += 11)
        {
            var expected = await FailureOfEntriesAsync(rdb[..cut]);
            foreach (var piece in Pieces)
                Assert.Equal(expected, await FailureOfCountingAsync(rdb[..cut], piece));
        }
    }

    [Fact]
    public async Task Every_single_bit_flip_fails_counting_with_the_message_reading_entries_gives()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        for (var position = 9; position < rdb.Length; position += 7)
        {
            var damaged = (byte[])rdb.Clone();
            damaged[position] ^= (byte)(1 << (position % 8));

            var expected = await FailureOfEntriesAsync(damaged);
            Assert.NotNull(expected);
            foreach (var piece in new[] { 1, int.MaxValue })
                Assert.Equal(expected, await FailureOfCountingAsync(damaged, piece));
        }
    }

    [Fact]
    public async Task A_failure_inside_a_counted_key_s_value_names_the_key()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        var cut = rdb.AsSpan().IndexOf("str:long"u8) + "str:long".Length + 5; // inside its compressed bytes

        foreach (var piece in Pieces)
        {
            Assert.Equal(
                $"the test RDB is truncated: it ends at byte {cut} in the value of key 'str:long' (database 0)",
                await FailureOfCountingAsync(rdb[..cut], piece));
        }
    }

    private static async Task<IReadOnlyList<RedisKeyspace>> CountAsync(byte[] rdb, int piece)
    {
        using var reader = await RdbReader.OpenAsync(new TrickleStream(rdb, piece), "the test RDB", keepValues: false, Ct);
        return await reader.CountKeysAsync(Ct);
    }

    private static async Task<List<RdbEntry>> ReadEntriesAsync(byte[] rdb, int piece)
    {
        using var reader = await RdbReader.OpenAsync(new TrickleStream(rdb, piece), "the test RDB", keepValues: true, Ct);
        var entries = new List<RdbEntry>();
        while (await reader.ReadAsync(Ct) is { } entry)
            entries.Add(entry is RdbKeyValue key ? key with { Value = key.Value.ToArray() } : entry);
        return entries;
    }

    private static string[] Describe(List<RdbEntry> entries) =>
        [.. entries.Select(e => e is RdbKeyValue k
            ? $"{k.Db} {RdbTestFiles.KeyText(k)} {k.Type} {k.ExpireAtMs} {k.IdleSeconds} {k.Frequency} {k.SerializedLength} {Convert.ToHexString(k.Value.Span)}"
            : e.ToString())];

    private static async Task<string?> FailureOfEntriesAsync(byte[] rdb)
    {
        try
        {
            await RdbTestFiles.ReadAllAsync(rdb, keepValues: false);
            return null;
        }
        catch (LifeboatException e)
        {
            return e.Message;
        }
    }

    private static async Task<string?> FailureOfCountingAsync(byte[] rdb, int piece)
    {
        try
        {
            await CountAsync(rdb, piece);
            return null;
        }
        catch (LifeboatException e)
        {
            return e.Message;
        }
    }
}
