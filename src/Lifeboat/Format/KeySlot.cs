using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Lifeboat.Format;

/// <summary>
/// The repository's data key wrapped with AES-256-GCM under a key-encryption key derived from one
/// secret. Several slots may wrap the same data key, so secrets can be added and retired without
/// re-encrypting any backup.
/// </summary>
public sealed class KeySlot
{
    private const int CurrentVersion = 1;
    private const string WrapAlgorithm = "aes-256-gcm";
    private const int TagSize = 16;
    private const int WrappedSize = DataKey.Size + TagSize;

    private readonly KeyDerivation derivation;
    private readonly byte[] nonce;
    private readonly byte[] wrapped;

    private KeySlot(string id, string kind, string keyId, DateTimeOffset created, string? label, KeyDerivation derivation, byte[] nonce, byte[] wrapped)
    {
        Id = id;
        Kind = kind;
        KeyId = keyId;
        Created = created;
        Label = label;
        this.derivation = derivation;
        this.nonce = nonce;
        this.wrapped = wrapped;
    }

    /// <summary>The slot's own random id (16 hex digits), for naming it when it is retired.</summary>
    public string Id { get; }

    /// <summary>"keyfile" or "passphrase".</summary>
    public string Kind { get; }

    /// <summary>The id of the data key this slot wraps.</summary>
    public string KeyId { get; }

    /// <summary>When the slot was made (informational, not authenticated).</summary>
    public DateTimeOffset Created { get; }

    /// <summary>The operator's name for the slot, e.g. "ops-2026", or null (informational, not authenticated).</summary>
    public string? Label { get; }

    /// <summary>
    /// Wraps <paramref name="key"/> under a key-encryption key freshly derived from <paramref name="secret"/>; an
    /// unfit <paramref name="label"/> is a usage error.
    /// </summary>
    public static KeySlot Create(DataKey key, KeySecret secret, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(secret);
        if (KeySlotValidation.LabelProblem(label) is { } problem)
            throw new LifeboatException($"the key slot label {problem}", "choose a short name such as ops-2026", FailureKind.Usage);
        var slot = new KeySlot(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(DataKey.IdSize)),
            secret.Kind,
            key.Id,
            TruncateToSeconds(DateTimeOffset.UtcNow),
            label,
            secret.NewDerivation(),
            RandomNumberGenerator.GetBytes(12),
            new byte[WrappedSize]);
        slot.Wrap(key, secret);
        return slot;
    }

    /// <summary>Unwraps the data key with <paramref name="secret"/>; null when the secret is not this slot's (or is of another kind).</summary>
    public DataKey? TryOpen(KeySecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Kind != Kind)
        {
            return null;
        }

        var keyEncryptionKey = secret.DeriveKeyEncryptionKey(derivation);
        var material = new byte[DataKey.Size];
        try
        {
            using var aes = new AesGcm(keyEncryptionKey, TagSize);
            aes.Decrypt(nonce, wrapped.AsSpan(0, DataKey.Size), wrapped.AsSpan(DataKey.Size), material, AssociatedData());
            return new DataKey(material, KeyId);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyEncryptionKey);
        }
    }

    /// <summary>The slot as UTF-8 JSON, the form stored in the repository.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(ToDocument(), KeySlotJsonContext.Default.KeySlotDocument);

    /// <summary>Parses and validates slot JSON; <paramref name="source"/> names the object it came from in errors.</summary>
    public static KeySlot FromJson(ReadOnlySpan<byte> json, string source)
    {
        KeySlotDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, KeySlotJsonContext.Default.KeySlotDocument);
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"it is not valid key slot JSON ({e.Message})", e);
        }

        return FromDocument(document ?? throw Invalid(source, "it is JSON null"), source);
    }

    private static KeySlot FromDocument(KeySlotDocument document, string source)
    {
        var problem = KeySlotValidation.Problem(document);
        if (problem is not null)
        {
            throw Invalid(source, problem);
        }

        var argon2 = document.Kind == KeySlotKinds.Passphrase
            ? new Argon2Parameters(document.Kdf.MemoryKiB!.Value, document.Kdf.Iterations!.Value, document.Kdf.Parallelism!.Value)
            : null;
        var derivation = new KeyDerivation(document.Kdf.Algorithm, document.Kdf.Salt, argon2);
        // Labels are checked when written; one that would not pass is read as none, never as a damaged slot.
        var label = KeySlotValidation.LabelProblem(document.Label) is null ? document.Label : null;
        return new KeySlot(document.Id, document.Kind, document.KeyId, document.Created, label, derivation, document.Wrap.Nonce, document.Wrap.Ciphertext);
    }

    private KeySlotDocument ToDocument() => new()
    {
        Version = CurrentVersion,
        Id = Id,
        Kind = Kind,
        KeyId = KeyId,
        Created = Created,
        Label = Label,
        Kdf = new KdfDocument
        {
            Algorithm = derivation.Algorithm,
            Salt = derivation.Salt,
            MemoryKiB = derivation.Argon2?.MemoryKiB,
            Iterations = derivation.Argon2?.Iterations,
            Parallelism = derivation.Argon2?.Parallelism,
        },
        Wrap = new WrapDocument { Algorithm = WrapAlgorithm, Nonce = nonce, Ciphertext = wrapped },
    };

    private void Wrap(DataKey key, KeySecret secret)
    {
        var keyEncryptionKey = secret.DeriveKeyEncryptionKey(derivation);
        try
        {
            using var aes = new AesGcm(keyEncryptionKey, TagSize);
            aes.Encrypt(nonce, key.Material, wrapped.AsSpan(0, DataKey.Size), wrapped.AsSpan(DataKey.Size), AssociatedData());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyEncryptionKey);
        }
    }

    /// <summary>
    /// Binds what the slot claims (its id, kind, key id and derivation) to the wrapped key, so an
    /// edited slot cannot pass off the key under another id or with weaker Argon2id costs.
    /// </summary>
    private byte[] AssociatedData() =>
        Encoding.UTF8.GetBytes($"lifeboat keyslot v{CurrentVersion}\nid={Id}\nkind={Kind}\nkeyId={KeyId}\nkdf={derivation.Canonical}\n");

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static LifeboatException Invalid(string source, string problem, Exception? inner = null) =>
        new(
            $"key slot '{source}' is invalid: {problem}",
            "the slot is damaged or was written by a newer Lifeboat; open the repository through another key slot, then add a fresh one",
            FailureKind.Failed,
            inner);
}
