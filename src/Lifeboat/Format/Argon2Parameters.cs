using Konscious.Security.Cryptography;

namespace Lifeboat.Format;

/// <summary>Argon2id cost settings, stored in each passphrase key slot so a slot stays openable when defaults change.</summary>
/// <param name="MemoryKiB">Memory in KiB (Argon2's m).</param>
/// <param name="Iterations">Passes over memory (Argon2's t).</param>
/// <param name="Parallelism">Lanes (Argon2's p).</param>
internal sealed record Argon2Parameters(int MemoryKiB, int Iterations, int Parallelism)
{
    private const int MaxMemoryKiB = 4 << 20;
    private const int MaxIterations = 100;
    private const int MaxParallelism = 64;

    /// <summary>64 MiB, 3 passes, 2 lanes: about 2 s in managed code here, costly for a guesser, fine for an operator.</summary>
    public static Argon2Parameters Recommended { get; } = new(64 << 10, 3, 2);

    /// <summary>Why these settings cannot be used, or null; the bounds keep a damaged slot from asking for absurd work.</summary>
    public string? Problem =>
        Parallelism is < 1 or > MaxParallelism ? $"Argon2id parallelism {Parallelism} is outside 1..{MaxParallelism}"
        : MemoryKiB < 8 * Parallelism || MemoryKiB > MaxMemoryKiB ? $"Argon2id memory {MemoryKiB} KiB is outside {8 * Parallelism}..{MaxMemoryKiB}"
        : Iterations is < 1 or > MaxIterations ? $"Argon2id iterations {Iterations} is outside 1..{MaxIterations}"
        : null;

    /// <summary>The settings as bound into a key slot's associated data.</summary>
    public string Canonical => $"m={MemoryKiB} t={Iterations} p={Parallelism}";

    /// <summary>Derives a 32-byte key from <paramref name="password"/> and <paramref name="salt"/> (RFC 9106 Argon2id, version 0x13).</summary>
    public byte[] DeriveKey(byte[] password, byte[] salt)
    {
        using var argon2 = new Argon2id(password)
        {
            Salt = salt,
            MemorySize = MemoryKiB,
            Iterations = Iterations,
            DegreeOfParallelism = Parallelism,
        };
        return argon2.GetBytes(32);
    }
}
