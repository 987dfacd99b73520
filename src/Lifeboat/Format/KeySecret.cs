namespace Lifeboat.Format;

/// <summary>What an operator holds to open the repository: a key file or a passphrase. Never printed.</summary>
public abstract class KeySecret
{
    /// <summary>
    /// The fewest characters (Unicode code points) of a passphrase for a new slot. Argon2id makes each guess cost
    /// memory and time, which is no protection when there are few passphrases to guess.
    /// </summary>
    public const int MinimumNewPassphraseLength = 12;

    private protected KeySecret()
    {
    }

    /// <summary>Reads a 32-byte key file; a missing, unreadable or wrong-sized file is a usage error.</summary>
    public static KeySecret FromKeyFile(string path) => KeyFileSecret.Load(path);

    /// <summary>Uses a passphrase, stretched with Argon2id; new slots get the recommended costs.</summary>
    public static KeySecret FromPassphrase(string passphrase) => new PassphraseSecret(passphrase, Argon2Parameters.Recommended);

    /// <summary>Uses a passphrase whose new slots get <paramref name="costsForNewSlots"/>; tests pass cheap costs.</summary>
    internal static KeySecret FromPassphrase(string passphrase, Argon2Parameters costsForNewSlots) =>
        new PassphraseSecret(passphrase, costsForNewSlots);

    /// <summary>
    /// Refuses a secret too weak to protect a new key slot (a passphrase under <see cref="MinimumNewPassphraseLength"/>
    /// characters). Existing slots open whatever their secret: the rule is for what is added, not for what is there.
    /// </summary>
    public void ThrowIfTooWeakForNewSlot()
    {
        if (WeaknessForNewSlot is { } weakness)
            throw new LifeboatException(weakness, "choose a longer one; several unrelated words make a passphrase both long and memorable", FailureKind.Usage);
    }

    /// <summary>Why this secret may not protect a new slot, or null when it may.</summary>
    internal virtual string? WeaknessForNewSlot => null;

    /// <summary>The kind of key slot this secret opens: "keyfile" or "passphrase".</summary>
    internal abstract string Kind { get; }

    /// <summary>Names the secret in messages without revealing it, e.g. "key file '/etc/lifeboat/repo.key'".</summary>
    internal abstract string Description { get; }

    /// <summary>A fresh derivation (random salt, current costs) for a new slot.</summary>
    internal abstract KeyDerivation NewDerivation();

    /// <summary>Derives the 32-byte key-encryption key for a slot with <paramref name="derivation"/>; the caller wipes it.</summary>
    internal abstract byte[] DeriveKeyEncryptionKey(KeyDerivation derivation);
}
