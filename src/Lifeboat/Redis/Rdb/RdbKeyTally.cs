namespace Lifeboat.Redis.Rdb;

/// <summary>
/// Each database's keys and keys with an expiry, counted as an RDB is read. The RDB holds a database's keys together, so
/// the current database's counts are plain fields and a key costs two additions; they are filed when another is selected.
/// </summary>
internal sealed class RdbKeyTally
{
    private readonly SortedDictionary<int, (long Keys, long Expires)> _filed = [];
    private int _db = -1;
    private long _keys;
    private long _expires;

    /// <summary>Counts one key of <paramref name="db"/>, with an expiry or without.</summary>
    public void Add(int db, bool expires)
    {
        if (db != _db)
            Select(db);
        _keys++;
        if (expires)
            _expires++;
    }

    /// <summary>The counts so far, by database number; a database without keys is not listed.</summary>
    public IReadOnlyList<RedisKeyspace> Keyspace()
    {
        File();
        return [.. _filed.Select(d => new RedisKeyspace(d.Key, d.Value.Keys, d.Value.Expires))];
    }

    private void Select(int db)
    {
        File();
        _db = db;
        (_keys, _expires) = _filed.GetValueOrDefault(db);
    }

    private void File()
    {
        if (_keys > 0)
            _filed[_db] = (_keys, _expires);
    }
}
