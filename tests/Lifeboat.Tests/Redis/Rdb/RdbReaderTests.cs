using System.Text;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>The streaming RDB reader against the files a real Redis 7.2 wrote, and against damaged copies of them.</summary>
public sealed class RdbReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_key_Redis_wrote_is_read_with_its_database_expiry_and_type()
    {
        var entries = await RdbTestFiles.ReadAllAsync(RdbTestFiles.Bytes(RdbTestFiles.AllTypes));

        var read = entries.OfType<RdbKeyValue>()
            .Select(k => (k.Db, Key: RdbTestFiles.KeyText(k), Type: RdbType.LogicalName(k.Type), Expire: k.ExpireAtMs ?? -1))
            .OrderBy(k => k.Db).ThenBy(k => k.Key, StringComparer.Ordinal).ToList();
        var expected = RdbTestFiles.ExpectedKeys()
            .Select(k => (k.Db, k.Key, k.Type, Expire: k.ExpireAtMs))
            .OrderBy(k => k.Db).ThenBy(k => k.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, read);
    }

    [Fact]
    public async Task The_file_declares_each_database_size_and_the_keys_read_match_it()
    {
        var entries = await RdbTestFiles.ReadAllAsync(RdbTestFiles.Bytes(RdbTestFiles.AllTypes));

        var declared = entries.OfType<RdbDatabaseSize>().ToDictionary(s => s.Db, s => (s.Keys, s.Expires));
        var read = entries.OfType<RdbKeyValue>().GroupBy(k => k.Db)
            .ToDictionary(g => g.Key, g => ((long)g.Count(), (long)g.Count(k => k.ExpireAtMs is not null)));
        Assert.Equal([0, 1, 5], declared.Keys.Order());
        Assert.Equal(read, declared);
    }

    [Fact]
    public async Task The_function_library_aux_fields_and_checksum_are_read()
    {
        using var reader = await RdbReader.OpenAsync(File.OpenRead(RdbTestFiles.PathOf(RdbTestFiles.AllTypes)), "the test RDB", false, Ct);
        var entries = new List<RdbEntry>();
        while (await reader.ReadAsync(Ct) is { } entry)
            entries.Add(entry);

        Assert.Equal(11, reader.Version);
        Assert.Equal("lifeboatlib", Assert.Single(entries.OfType<RdbFunctionLibrary>()).Name);
        Assert.Equal("7.2.6", Encoding.ASCII.GetString(entries.OfType<RdbAuxField>().Single(a => a.Name == "redis-ver").Value));
        Assert.NotNull(reader.Checksum);
        Assert.Equal(new FileInfo(RdbTestFiles.PathOf(RdbTestFiles.AllTypes)).Length, reader.Offset);
    }

    [Fact]
    public async Task A_file_written_without_a_checksum_reads_and_says_it_has_none()
    {
        using var reader = await RdbReader.OpenAsync(new MemoryStream(RdbTestFiles.Bytes(RdbTestFiles.NoCompressNoChecksum)), "the test RDB", false, Ct);

        Assert.Equal(22, await reader.ReadToEndAsync(Ct));
        Assert.Null(reader.Checksum);
    }

    [Theory]
    [InlineData(RdbTestFiles.AllTypesLfu)]
    [InlineData(RdbTestFiles.AllTypesLru)]
    public async Task The_LFU_and_LRU_files_hold_the_same_keys_and_values(string variant)
    {
        var plain = Keys(await RdbTestFiles.ReadAllAsync(RdbTestFiles.Bytes(RdbTestFiles.AllTypes)));
        var withEvictionData = Keys(await RdbTestFiles.ReadAllAsync(RdbTestFiles.Bytes(variant)));

        Assert.Equal(plain, withEvictionData);
    }

    [Fact]
    public async Task Each_key_of_the_LRU_file_carries_its_idle_time_and_each_of_the_LFU_file_its_counter()
    {
        var lru = (await RdbTestFiles.ReadAllAsync(RdbTestFiles.Bytes(RdbTestFiles.AllTypesLru))).OfType<RdbKeyValue>().ToList();
        var lfu = (await RdbTestFiles.ReadAllAsync(RdbTestFiles.Bytes(RdbTestFiles.AllTypesLfu))).OfType<RdbKeyValue>().ToList();
        var plain = (await RdbTestFiles.ReadAllAsync(RdbTestFiles.Bytes(RdbTestFiles.AllTypes))).OfType<RdbKeyValue>().ToList();

        Assert.All(lru, k => Assert.True(k is { IdleSeconds: not null, Frequency: null }));
        Assert.All(lfu, k => Assert.True(k is { IdleSeconds: null, Frequency: not null }));
        Assert.All(plain, k => Assert.True(k is { IdleSeconds: null, Frequency: null }));
    }

    [Fact]
    public async Task The_uncompressed_file_holds_the_same_logical_content()
    {
        var compressed = await Content(RdbTestFiles.AllTypes);
        var uncompressed = await Content(RdbTestFiles.NoCompressNoChecksum);

        Assert.Equal(compressed, uncompressed);
        Assert.Contains(compressed, c => c.Key == "str:long");
    }

    [Fact]
    public async Task Without_values_kept_the_keys_are_the_same_and_values_empty()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        var with = (await RdbTestFiles.ReadAllAsync(rdb)).OfType<RdbKeyValue>().ToList();
        var without = (await RdbTestFiles.ReadAllAsync(rdb, keepValues: false)).OfType<RdbKeyValue>().ToList();

        Assert.Equal(with.Select(k => (k.Db, RdbTestFiles.KeyText(k), k.Type)), without.Select(k => (k.Db, RdbTestFiles.KeyText(k), k.Type)));
        Assert.All(without, k => Assert.True(k.Value.IsEmpty));
        Assert.All(with, k => Assert.Equal(k.Type, k.Value.Span[0]));
    }

    [Fact]
    public async Task Every_truncated_copy_is_refused_saying_where_it_ends()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        foreach (var cut in Cuts(rdb.Length))
        {
            var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb[..cut]));
            Assert.Contains($"is truncated: it ends at byte {cut}", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_copy_cut_inside_a_value_names_the_key()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        var cut = IndexOf(rdb, "str:long"u8) + "str:long".Length + 5; // inside its compressed bytes

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb[..cut]));

        Assert.Equal($"the test RDB is truncated: it ends at byte {cut} in the value of key 'str:long' (database 0)", e.Message);
    }

    [Fact]
    public async Task Every_single_bit_flip_is_refused_saying_where()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        for (var position = 9; position < rdb.Length; position += 7)
        {
            var damaged = (byte[])rdb.Clone();
            damaged[position] ^= (byte)(1 << (position % 8));

            var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(damaged));
            Assert.Matches("^the test RDB (is truncated: it ends|cannot be read) at byte [0-9]+", e.Message);
        }
    }

    [Fact]
    public async Task A_flipped_bit_in_a_string_is_caught_by_the_checksum()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        rdb[IndexOf(rdb, "expiring"u8)] ^= 0x01;

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb));

        Assert.Matches($"^the test RDB cannot be read at byte {rdb.Length - 8}: its checksum fails: the RDB says [0-9a-f]{{16}}, its bytes give [0-9a-f]{{16}}$", e.Message);
        Assert.NotNull(e.Hint);
    }

    [Fact]
    public async Task An_unknown_value_type_is_named_with_its_offset()
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, 0x30, 0x01, (byte)'k', 0x01, (byte)'v']);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb));

        Assert.Equal("the test RDB cannot be read at byte 11: byte 0x30 is neither an opcode nor a value type this reader knows; its checksum is right, so this is no damage but a format newer than this reader knows (RDB version 11)", e.Message);
    }

    [Fact]
    public async Task A_module_value_is_walked_as_Redis_skips_it_without_the_module_and_names_the_module()
    {
        // "ReJSON-RL" with encoding version 3, as RedisJSON writes it; then its data as annotated opcodes: an unsigned
        // integer 5, a double, the string "abc", the end.
        var moduleId = ModuleId("ReJSON-RL", 3);
        var rdb = RdbBytes.Of(
        [
            0xfe, 0x00, RdbType.Module2, 0x01, (byte)'j', 0x81, .. BitConverter.GetBytes(moduleId).Reverse(),
            0x02, 0x05, 0x04, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x05, 0x03, (byte)'a', (byte)'b', (byte)'c', 0x00,
            RdbType.String, 0x01, (byte)'s', 0x01, (byte)'v',
        ]);

        var keys = (await RdbTestFiles.ReadAllAsync(rdb)).OfType<RdbKeyValue>().ToList();

        Assert.Equal(new (string, string?)[] { ("j", "ReJSON-RL"), ("s", null) }, keys.Select(k => (RdbTestFiles.KeyText(k), k.Module)));
        Assert.Equal(1 + 9 + 17, keys[0].SerializedLength);
    }

    [Fact]
    public async Task A_type_newer_than_the_files_version_is_refused()
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, RdbType.SetListpack, 0x01, (byte)'s', 0x00], version: 10);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(rdb));

        Assert.Contains("value type 20 first came with RDB 11, and this is RDB 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_after_the_checksum_are_refused()
    {
        var rdb = RdbBytes.Of([0xfe, 0x00, 0x00, 0x01, (byte)'k', 0x01, (byte)'v']);

        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync([.. rdb, 0x00]));

        Assert.Equal($"the test RDB cannot be read at byte {rdb.Length}: bytes follow its end marker and checksum", e.Message);
    }

    [Theory]
    [InlineData("REDIS", "is not an RDB: it is shorter than the 9-byte header")]
    [InlineData("RADIS0011", "is not an RDB: it does not start with REDIS and a 4-digit version")]
    [InlineData("REDIS0013", "has RDB version 13, which this reader does not know (it reads 1 to 12)")]
    public async Task A_bad_header_is_refused(string header, string problem)
    {
        var e = await Assert.ThrowsAsync<LifeboatException>(() => RdbTestFiles.ReadAllAsync(Encoding.ASCII.GetBytes(header + "\xff")));

        Assert.Equal("the test RDB " + problem, e.Message);
    }

    private static ulong ModuleId(string name, int encodingVersion)
    {
        const string charset = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        ulong id = 0;
        foreach (var c in name)
            id = (id << 6) | (uint)charset.IndexOf(c, StringComparison.Ordinal);
        return (id << 10) | (uint)encodingVersion;
    }

    private static IEnumerable<int> Cuts(int length) =>
        Enumerable.Range(0, length / 13).Select(i => 9 + (i * 13)).Where(c => c < length).Concat([length - 9, length - 8, length - 1]);

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    private static List<(int Db, string Key, long? Expire, string Value)> Keys(List<RdbEntry> entries) =>
        entries.OfType<RdbKeyValue>().Select(k => (k.Db, RdbTestFiles.KeyText(k), k.ExpireAtMs, Convert.ToHexString(k.Value.Span))).ToList();

    /// <summary>
    /// Each key with the decoded strings of its value, sorted (hash tables iterate in a per-process order). Streams and
    /// lists are left out: make-rdb.sh restarted the server on its first save before filling it again for the
    /// uncompressed file, so there the lists hold their elements twice and the streams twice the entries, with other ids.
    /// </summary>
    private static async Task<List<(int Db, string Key, byte Type, string Strings)>> Content(string file) =>
        [.. (await RdbTestFiles.ReadAllAsync(RdbTestFiles.Bytes(file))).OfType<RdbKeyValue>()
            .Where(k => RdbType.LogicalName(k.Type) is not ("stream" or "list"))
            .Select(k => (k.Db, RdbTestFiles.KeyText(k), k.Type, string.Join(",", RdbValueStrings.Of(k.Value.ToArray()).Order(StringComparer.Ordinal))))
            .OrderBy(k => k.Item1).ThenBy(k => k.Item2, StringComparer.Ordinal)];
}
