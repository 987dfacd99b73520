using Konscious.Security.Cryptography;

namespace Lifeboat.Tests.Format;

public sealed class Argon2idTests
{
    /// <summary>FORMAT.md promises standard Argon2id, so another implementation can recover a passphrase slot; RFC 9106 §5.3 pins it.</summary>
    [Fact]
    public void The_argon2id_implementation_reproduces_the_rfc_9106_test_vector()
    {
        using var argon2 = new Argon2id(Filled(32, 0x01))
        {
            Salt = Filled(16, 0x02),
            KnownSecret = Filled(8, 0x03),
            AssociatedData = Filled(12, 0x04),
            MemorySize = 32,
            Iterations = 3,
            DegreeOfParallelism = 4,
        };

        Assert.Equal("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Convert.ToHexStringLower(argon2.GetBytes(32)));
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
