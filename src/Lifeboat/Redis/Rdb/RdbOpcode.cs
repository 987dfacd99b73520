namespace Lifeboat.Redis.Rdb;

/// <summary>The RDB's opcodes (rdb.h RDB_OPCODE_*): bytes in a type's place that are not a key's value.</summary>
internal static class RdbOpcode
{
    /// <summary>Redis 7.4's cluster mode: a slot's id, keys and keys with an expiry (three lengths), before the slot's keys.</summary>
    public const byte SlotInfo = 244;
    public const byte Function2 = 245;
    public const byte FunctionPreGa = 246;
    public const byte ModuleAux = 247;
    public const byte Idle = 248;
    public const byte Freq = 249;
    public const byte Aux = 250;
    public const byte ResizeDb = 251;
    public const byte ExpireTimeMs = 252;
    public const byte ExpireTime = 253;
    public const byte SelectDb = 254;
    public const byte Eof = 255;
}
