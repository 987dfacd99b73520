using System.Text;

namespace Lifeboat.Redis.ServerRestore;

/// <summary>Which keys a restore writes: those of the chosen databases whose names match the chosen glob.</summary>
internal sealed class KeySelection(ServerRestoreOptions options)
{
    private readonly byte[]? _pattern = options.KeyPattern is null ? null : Encoding.UTF8.GetBytes(options.KeyPattern);

    public bool Includes(int db, ReadOnlySpan<byte> key) =>
        (options.Databases is null || options.Databases.Contains(db)) && (_pattern is null || RedisGlob.IsMatch(_pattern, key));
}
