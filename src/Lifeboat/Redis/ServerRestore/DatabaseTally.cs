namespace Lifeboat.Redis.ServerRestore;

/// <summary>One database's counts as a pass over the RDB goes: what it declares, what it holds, what the restore does with it.</summary>
internal sealed class DatabaseTally(int db)
{
    public int Db { get; } = db;

    /// <summary>Keys and keys with an expiry the RDB declares (RESIZEDB); null when it declares none.</summary>
    public (long Keys, long Expires)? Declared { get; set; }

    public long Keys { get; set; }

    public long Expires { get; set; }

    /// <summary>Keys the filters choose (expired or not).</summary>
    public long Selected { get; set; }

    public long Restored { get; set; }

    /// <summary>Of <see cref="Restored"/>, the keys without an expiry of their own or of their fields: the fewest the target must hold afterwards.</summary>
    public long RestoredWithoutExpiry { get; set; }

    public long Expired { get; set; }

    public DatabaseRestoreCount ToCount() => new(Db, Keys, Restored, Expired, Keys - Selected);
}
