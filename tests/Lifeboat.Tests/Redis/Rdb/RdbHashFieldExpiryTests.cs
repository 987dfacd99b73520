using Lifeboat.Redis;
using Lifeboat.Redis.Rdb;

namespace Lifeboat.Tests.Redis.Rdb;

/// <summary>
/// Redis 7.4's hashes with field expiry times (RDB 12, value types 24 and 25; 22 and 23 of its release candidates), read
/// from a file a 7.4.1 server wrote beside that server's own DUMP of each key.
/// </summary>
public sealed class RdbHashFieldExpiryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_key_gives_the_very_payload_the_7_4_server_dumps_for_it_in_both_encodings_of_field_expiry()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.HashFieldExpiry);
        using var reader = await RdbReader.OpenAsync(new MemoryStream(rdb), "the 7.4 file", keepValues: true, Ct);
        var payloads = new List<(int Db, string Key, string Payload)>();
        var types = new HashSet<byte>();
        while (await reader.ReadAsync(Ct) is { } entry)
        {
            if (entry is not RdbKeyValue key)
                continue;
            types.Add(key.Type);
            payloads.Add((key.Db, RdbTestFiles.KeyText(key), Convert.ToHexStringLower(reader.TakeDumpPayload(12).Span)));
        }

        Assert.Equal(12, reader.Version);
        Assert.Superset(new HashSet<byte> { RdbType.HashMetadata, RdbType.HashListpackEx }, types);
        Assert.Equal(RdbTestFiles.HashFieldExpiryDumps().OrderBy(k => (k.Db, k.Key)), payloads.OrderBy(k => (k.Db, k.Key)));
    }

    [Fact]
    public async Task Every_key_is_read_with_its_type_and_expiry_and_counted_in_its_database()
    {
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.HashFieldExpiry);
        var expected = RdbTestFiles.ExpectedKeys("hash-field-expiry-7.4.keys.tsv");

        var keys = (await RdbTestFiles.ReadAllAsync(rdb)).OfType<RdbKeyValue>().ToList();
        using var counter = await RdbReader.OpenAsync(new MemoryStream(rdb), "the 7.4 file", keepValues: false, Ct);
        var counts = await counter.CountKeysAsync(Ct);

        Assert.Equal(
            expected.Select(k => (k.Db, k.Key, k.Type, k.ExpireAtMs)).Order(),
            keys.Select(k => (k.Db, RdbTestFiles.KeyText(k), RdbType.LogicalName(k.Type), k.ExpireAtMs ?? -1)).Order());
        Assert.Equal(
            expected.GroupBy(k => k.Db).OrderBy(g => g.Key).Select(g => new RedisKeyspace(g.Key, g.Count(), g.Count(k => k.ExpireAtMs >= 0))),
            counts);
    }

    [Fact]
    public async Task A_release_candidate_hash_with_absolute_field_times_is_read_to_its_end_and_the_next_key_follows()
    {
        // Type 22: a count, then per field its absolute time in ms (0: none; a 64-bit length, big-endian, for a real
        // time: 2100-01-01 here), the field and the value.
        byte[] value = [RdbType.HashMetadataPreGa, 0x02, 0x00, 0x01, (byte)'a', 0x01, (byte)'1', 0x81, 0, 0, 0x03, 0xbb, 0x2c, 0xc3, 0xd8, 0x00, 0x01, (byte)'b', 0x01, (byte)'2'];
        var rdb = RdbBytes.Of([0xfe, 0x00, value[0], 0x01, (byte)'h', .. value[1..], 0x00, 0x01, (byte)'k', 0x01, (byte)'v'], version: 12);

        var keys = (await RdbTestFiles.ReadAllAsync(rdb)).OfType<RdbKeyValue>().ToList();

        Assert.Equal(["h", "k"], keys.Select(RdbTestFiles.KeyText));
        Assert.Equal(value, keys[0].Value.ToArray());
    }

    [Fact]
    public async Task A_release_candidate_listpack_hash_with_field_times_is_one_string_and_the_next_key_follows()
    {
        // Type 23: the listpack of field, value and time triplets, as one string; no earliest time before it.
        var rdb = RdbBytes.Of([0xfe, 0x00, RdbType.HashListpackExPreGa, 0x01, (byte)'h', 0x03, 0xaa, 0xbb, 0xcc, 0x00, 0x01, (byte)'k', 0x01, (byte)'v'], version: 12);

        var keys = (await RdbTestFiles.ReadAllAsync(rdb)).OfType<RdbKeyValue>().ToList();

        Assert.Equal(["h", "k"], keys.Select(RdbTestFiles.KeyText));
        Assert.Equal([RdbType.HashListpackExPreGa, 0x03, 0xaa, 0xbb, 0xcc], keys[0].Value.ToArray());
    }
}
