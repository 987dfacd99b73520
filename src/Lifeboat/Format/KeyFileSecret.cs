using System.Security.Cryptography;

namespace Lifeboat.Format;

/// <summary>A key file's 32 random bytes; a slot's key-encryption key is HKDF-SHA256 of them with the slot's salt.</summary>
internal sealed class KeyFileSecret : KeySecret
{
    private readonly byte[] material;
    private readonly string path;

    private KeyFileSecret(byte[] material, string path)
    {
        this.material = material;
        this.path = path;
    }

    private static ReadOnlySpan<byte> Label => "lifeboat keyslot v1 keyfile"u8;

    /// <inheritdoc />
    internal override string Kind => KeySlotKinds.KeyFile;

    /// <inheritdoc />
    internal override string Description => $"key file '{path}'";

    /// <summary>Reads the key file at <paramref name="path"/>, which must hold exactly <see cref="KeyFile.Size"/> bytes.</summary>
    public static KeyFileSecret Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // One byte more than a key, so a longer file is told apart without trusting a length a pipe cannot give.
        var content = new byte[KeyFile.Size + 1];
        int read;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            read = file.ReadAtLeast(content, content.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LifeboatException($"key file '{path}' does not exist", kind: FailureKind.Usage, inner: e)
            {
                Remedy = new(RemedyAction.PointAtKeyFile),
            };
        }
        catch (UnauthorizedAccessException e)
        {
            throw new LifeboatException(
                $"key file '{path}' cannot be read: permission denied",
                "run Lifeboat as the user that owns the key file (it should be mode 0600)",
                FailureKind.Usage,
                e);
        }

        if (read != KeyFile.Size)
        {
            CryptographicOperations.ZeroMemory(content);
            throw new LifeboatException(
                $"key file '{path}' is {(read > KeyFile.Size ? "longer than" : $"{read} bytes, not")} {KeyFile.Size} bytes; a Lifeboat key file holds exactly {KeyFile.Size} random bytes",
                "a key file copied through a text tool or base64-encoded (e.g. twice in a Kubernetes secret) no longer fits",
                FailureKind.Usage)
            {
                Remedy = new(RemedyAction.UseKeyFileAsWritten),
            };
        }

        return new KeyFileSecret(content[..KeyFile.Size], path);
    }

    /// <inheritdoc />
    internal override KeyDerivation NewDerivation() =>
        new(KeyDerivation.HkdfSha256, RandomNumberGenerator.GetBytes(KeyDerivation.SaltSize), argon2: null);

    /// <inheritdoc />
    internal override byte[] DeriveKeyEncryptionKey(KeyDerivation derivation)
    {
        var keyEncryptionKey = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, material, keyEncryptionKey, derivation.Salt, Label);
        return keyEncryptionKey;
    }
}
