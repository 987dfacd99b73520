namespace Lifeboat.Format;

/// <summary>How a key slot turns its secret into a key-encryption key: the algorithm, its random salt, and Argon2id costs when it is a passphrase.</summary>
internal sealed class KeyDerivation
{
    /// <summary>The algorithm name for key-file slots.</summary>
    public const string HkdfSha256 = "hkdf-sha256";

    /// <summary>The algorithm name for passphrase slots.</summary>
    public const string Argon2id = "argon2id";

    /// <summary>Bytes of salt every slot gets.</summary>
    public const int SaltSize = 16;

    public KeyDerivation(string algorithm, byte[] salt, Argon2Parameters? argon2)
    {
        Algorithm = algorithm;
        Salt = salt;
        Argon2 = argon2;
    }

    /// <summary><see cref="HkdfSha256"/> or <see cref="Argon2id"/>.</summary>
    public string Algorithm { get; }

    /// <summary>The slot's random salt.</summary>
    public byte[] Salt { get; }

    /// <summary>Argon2id costs; null for HKDF.</summary>
    public Argon2Parameters? Argon2 { get; }

    /// <summary>The derivation as bound into the slot's associated data: the algorithm, and for Argon2id its costs.</summary>
    public string Canonical => Argon2 is null ? Algorithm : $"{Algorithm} {Argon2.Canonical}";
}
