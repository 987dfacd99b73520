using System.Security.Cryptography;

namespace Lifeboat.Format;

/// <summary>The repository's random 32-byte data key, named by a short id that envelope headers record.</summary>
public sealed class DataKey : IDisposable
{
    /// <summary>Bytes of key material.</summary>
    internal const int Size = 32;

    /// <summary>Bytes of the id; its text form is twice as many lowercase hex digits.</summary>
    internal const int IdSize = 8;

    private readonly byte[] material;
    private bool disposed;

    /// <summary>Takes ownership of <paramref name="material"/>, which disposal wipes.</summary>
    internal DataKey(byte[] material, string id)
    {
        if (material.Length != Size)
        {
            throw new ArgumentException($"a data key is {Size} bytes, not {material.Length}", nameof(material));
        }

        if (!IsValidId(id))
        {
            throw new ArgumentException($"'{id}' is not a data key id ({IdSize * 2} lowercase hex digits)", nameof(id));
        }

        this.material = material;
        Id = id;
    }

    /// <summary>Creates a new key from the operating system's cryptographic random generator.</summary>
    public static DataKey Generate() =>
        new(RandomNumberGenerator.GetBytes(Size), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdSize)));

    /// <summary>The key's id: 16 lowercase hex digits, never secret.</summary>
    public string Id { get; }

    /// <summary>The secret key bytes.</summary>
    internal ReadOnlySpan<byte> Material
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return material;
        }
    }

    /// <summary>Wipes the key material.</summary>
    public void Dispose()
    {
        disposed = true;
        CryptographicOperations.ZeroMemory(material);
    }

    /// <summary>True when <paramref name="id"/> has the shape of a data key id.</summary>
    internal static bool IsValidId(string id)
    {
        if (id.Length != IdSize * 2)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }
}
