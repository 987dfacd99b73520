namespace Lifeboat.Redis.Rdb;

/// <summary>The value types of the RDB format (rdb.h RDB_TYPE_*): what a key's serialized value starts with.</summary>
public static class RdbType
{
    /// <summary>A string.</summary>
    public const byte String = 0;
    /// <summary>A list as a sequence of strings (before quicklists).</summary>
    public const byte List = 1;
    /// <summary>A set as a sequence of strings.</summary>
    public const byte Set = 2;
    /// <summary>A sorted set with scores as text.</summary>
    public const byte ZSet = 3;
    /// <summary>A hash as a sequence of field and value strings.</summary>
    public const byte Hash = 4;
    /// <summary>A sorted set with binary scores.</summary>
    public const byte ZSet2 = 5;
    /// <summary>A module value of a Redis 4.0 release candidate.</summary>
    public const byte ModulePreGa = 6;
    /// <summary>A module value.</summary>
    public const byte Module2 = 7;
    /// <summary>A hash as a zipmap.</summary>
    public const byte HashZipmap = 9;
    /// <summary>A list as a ziplist.</summary>
    public const byte ListZiplist = 10;
    /// <summary>A set of integers as an intset.</summary>
    public const byte SetIntset = 11;
    /// <summary>A sorted set as a ziplist.</summary>
    public const byte ZSetZiplist = 12;
    /// <summary>A hash as a ziplist.</summary>
    public const byte HashZiplist = 13;
    /// <summary>A list as a quicklist of ziplists.</summary>
    public const byte ListQuicklist = 14;
    /// <summary>A stream (Redis 5).</summary>
    public const byte StreamListpacks = 15;
    /// <summary>A hash as a listpack.</summary>
    public const byte HashListpack = 16;
    /// <summary>A sorted set as a listpack.</summary>
    public const byte ZSetListpack = 17;
    /// <summary>A list as a quicklist of listpacks and plain nodes.</summary>
    public const byte ListQuicklist2 = 18;
    /// <summary>A stream with first id, tombstone and offsets (Redis 7.0).</summary>
    public const byte StreamListpacks2 = 19;
    /// <summary>A set as a listpack (Redis 7.2).</summary>
    public const byte SetListpack = 20;
    /// <summary>A stream whose consumers have an active time (Redis 7.2).</summary>
    public const byte StreamListpacks3 = 21;

    /// <summary>A hash with field expiry times as fields with absolute times (Redis 7.4 release candidates).</summary>
    public const byte HashMetadataPreGa = 22;
    /// <summary>A hash with field expiry times as a listpack of triplets (Redis 7.4 release candidates).</summary>
    public const byte HashListpackExPreGa = 23;
    /// <summary>A hash with field expiry times: the earliest time, then fields with times relative to it (Redis 7.4).</summary>
    public const byte HashMetadata = 24;
    /// <summary>A hash with field expiry times: the earliest time, then a listpack of field, value, time (Redis 7.4).</summary>
    public const byte HashListpackEx = 25;

    /// <summary>True for the hash types with per-field expiry times that Redis 7.4 (RDB 12) added for HEXPIRE and its kin.</summary>
    public static bool IsHashWithFieldExpiry(byte type) => type is >= HashMetadataPreGa and <= HashListpackEx;

    /// <summary>The RDB version that first wrote <paramref name="type"/>, or null for a type this reader does not know.</summary>
    public static int? IntroducedIn(byte type) => type switch
    {
        <= Hash or (>= HashZipmap and <= HashZiplist) => 1,
        ZSet2 or ModulePreGa or Module2 => 8,
        ListQuicklist => 7,
        StreamListpacks => 9,
        >= HashListpack and <= StreamListpacks2 => 10,
        SetListpack or StreamListpacks3 => 11,
        >= HashMetadataPreGa and <= HashListpackEx => 12,
        _ => null,
    };

    /// <summary>What the TYPE command calls a value of <paramref name="type"/>: string, list, set, zset, hash, stream or module.</summary>
    public static string LogicalName(byte type) => type switch
    {
        String => "string",
        List or ListZiplist or ListQuicklist or ListQuicklist2 => "list",
        Set or SetIntset or SetListpack => "set",
        ZSet or ZSet2 or ZSetZiplist or ZSetListpack => "zset",
        Hash or HashZipmap or HashZiplist or HashListpack or (>= HashMetadataPreGa and <= HashListpackEx) => "hash",
        StreamListpacks or StreamListpacks2 or StreamListpacks3 => "stream",
        ModulePreGa or Module2 => "module",
        _ => $"type {type}",
    };
}
