using System.Text;

namespace Lifeboat.Format;

/// <summary>A passphrase; a slot's key-encryption key is Argon2id of its UTF-8 bytes with the slot's salt and costs.</summary>
internal sealed class PassphraseSecret : KeySecret
{
    private readonly string passphrase;
    private readonly Argon2Parameters costsForNewSlots;

    public PassphraseSecret(string passphrase, Argon2Parameters costsForNewSlots)
    {
        ArgumentNullException.ThrowIfNull(passphrase);
        if (passphrase.Length == 0)
        {
            throw new LifeboatException("the repository passphrase is empty", kind: FailureKind.Usage)
            {
                Remedy = new(RemedyAction.SetPassphrase),
            };
        }

        this.passphrase = passphrase;
        this.costsForNewSlots = costsForNewSlots;
    }

    /// <inheritdoc />
    internal override string? WeaknessForNewSlot =>
        passphrase.EnumerateRunes().Count() < MinimumNewPassphraseLength
            ? $"the new passphrase is shorter than {MinimumNewPassphraseLength} characters, which is too short to protect the repository; nothing was written"
            : null;

    /// <inheritdoc />
    internal override string Kind => KeySlotKinds.Passphrase;

    /// <inheritdoc />
    internal override string Description => "the passphrase";

    /// <inheritdoc />
    internal override KeyDerivation NewDerivation() =>
        new(KeyDerivation.Argon2id, System.Security.Cryptography.RandomNumberGenerator.GetBytes(KeyDerivation.SaltSize), costsForNewSlots);

    /// <inheritdoc />
    internal override byte[] DeriveKeyEncryptionKey(KeyDerivation derivation)
    {
        var costs = derivation.Argon2 ?? throw new InvalidOperationException("a passphrase slot without Argon2id costs passed validation");
        var password = Encoding.UTF8.GetBytes(passphrase);
        try
        {
            return costs.DeriveKey(password, derivation.Salt);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(password);
        }
    }
}
