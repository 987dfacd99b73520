namespace Lifeboat.Redis.Rdb;

/// <summary>One thing an RDB holds, in file order: an aux field, a database's start and size, a function library, a key.</summary>
public abstract record RdbEntry;

/// <summary>An aux field (redis-ver, ctime, used-mem, …).</summary>
/// <param name="Name">The field's name.</param>
/// <param name="Value">Its value as written.</param>
public sealed record RdbAuxField(string Name, byte[] Value) : RdbEntry;

/// <summary>The keys that follow belong to database <paramref name="Db"/>.</summary>
/// <param name="Db">The database number.</param>
public sealed record RdbDatabaseSelected(int Db) : RdbEntry;

/// <summary>How many keys, and keys with an expiry, the RDB says database <paramref name="Db"/> holds (RESIZEDB).</summary>
/// <param name="Db">The database number.</param>
/// <param name="Keys">Its key count.</param>
/// <param name="Expires">How many of its keys have an expiry.</param>
public sealed record RdbDatabaseSize(int Db, long Keys, long Expires) : RdbEntry;

/// <summary>A function library: its source code, which begins with "#!engine name=…".</summary>
/// <param name="Code">The library's code.</param>
public sealed record RdbFunctionLibrary(byte[] Code) : RdbEntry
{
    /// <summary>The library's name from its first line, or null when that line names none.</summary>
    public string? Name => FunctionLibraryName.Of(Code);
}

/// <summary>A module's auxiliary data, which this reader skips: only that module could use it.</summary>
/// <param name="Module">The module type's name.</param>
public sealed record RdbModuleAuxData(string Module) : RdbEntry;

/// <summary>
/// A key and its value as the RDB serializes it: the type byte and the encoding after it, as DUMP puts before its
/// footer. <paramref name="Value"/> is empty unless the reader keeps values, and valid only until the reader's next read.
/// </summary>
/// <param name="Db">The key's database.</param>
/// <param name="Key">The key's bytes.</param>
/// <param name="ExpireAtMs">When it expires, in Unix milliseconds; null when it does not.</param>
/// <param name="Type">Its <see cref="RdbType"/>.</param>
/// <param name="Value">Its serialized value (type byte first).</param>
public sealed record RdbKeyValue(int Db, byte[] Key, long? ExpireAtMs, byte Type, ReadOnlyMemory<byte> Value) : RdbEntry
{
    /// <summary>The serialized value's length (type byte first), whether or not the reader kept it: what a DUMP payload of it holds before its footer.</summary>
    public long SerializedLength { get; init; }

    /// <summary>For a value of a module's type, the module's type name (as "ReJSON-RL"); null for Redis's own types.</summary>
    public string? Module { get; init; }

    /// <summary>How long the key had not been used, in seconds, as a server with an LRU eviction policy saves it; else null.</summary>
    public ulong? IdleSeconds { get; init; }

    /// <summary>The key's LFU counter (0 to 255), as a server with an LFU eviction policy saves it; else null.</summary>
    public byte? Frequency { get; init; }
}
