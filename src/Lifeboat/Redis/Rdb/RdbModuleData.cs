namespace Lifeboat.Redis.Rdb;

/// <summary>Module data in the self-describing form Redis can skip without the module (rdbLoadCheckModuleValue): opcodes until EOF.</summary>
internal static class RdbModuleData
{
    private const ulong Eof = 0;
    private const ulong SignedInt = 1;
    private const ulong UnsignedInt = 2;
    private const ulong Float = 3;
    private const ulong Double = 4;
    private const ulong String = 5;

    public static async ValueTask SkipAsync(RdbInput input, long start, CancellationToken cancellationToken)
    {
        while (true)
        {
            var opcode = await input.ReadCountAsync(cancellationToken);
            switch (opcode)
            {
                case Eof:
                    return;
                case SignedInt or UnsignedInt:
                    await input.ReadCountAsync(cancellationToken);
                    break;
                case Float:
                    await input.SkipAsync(4, cancellationToken);
                    break;
                case Double:
                    await input.SkipAsync(8, cancellationToken);
                    break;
                case String:
                    await input.SkipStringAsync(cancellationToken);
                    break;
                default:
                    throw new RdbFormatException(start, $"module data has the unknown opcode {opcode}");
            }
        }
    }
}
