namespace Lifeboat.Format;

/// <summary>Checks a parsed key slot document field by field, so a damaged slot is reported precisely instead of failing to open.</summary>
internal static class KeySlotValidation
{
    private const int SupportedVersion = 1;
    private const int NonceSize = 12;
    private const int WrappedSize = DataKey.Size + 16;
    private const int MaxLabelLength = 64;

    /// <summary>What is wrong with <paramref name="document"/>, or null when it is usable.</summary>
    public static string? Problem(KeySlotDocument document)
    {
        if (document.Version != SupportedVersion)
        {
            return $"it has version {document.Version}; this Lifeboat reads version {SupportedVersion}";
        }

        if (!DataKey.IsValidId(document.Id))
        {
            return $"its id '{document.Id}' is not 16 lowercase hex digits";
        }

        if (!DataKey.IsValidId(document.KeyId))
        {
            return $"its keyId '{document.KeyId}' is not 16 lowercase hex digits";
        }

        // The label is not checked here: it is informational and not authenticated, so a bad one (written by hand, or
        // by another tool) must never make a slot count as damaged; it is read as no label (see KeySlot).
        return KdfProblem(document.Kind, document.Kdf) ?? WrapProblem(document.Wrap);
    }

    /// <summary>
    /// What is wrong with a slot label ("is empty"), or null when it is fine or absent: 1 to 64 characters, none of them
    /// a control, formatting (U+202E turns the text after it around) or line or paragraph separator character, which
    /// would let a label look like another or break the line it is shown in.
    /// </summary>
    public static string? LabelProblem(string? label)
    {
        if (label is null)
        {
            return null;
        }

        if (label.Length == 0)
        {
            return "is empty";
        }

        if (label.Length > MaxLabelLength)
        {
            return $"is {label.Length} characters long, more than {MaxLabelLength}";
        }

        var hidden = label.Where(IsHidden).Select(c => (char?)c).FirstOrDefault();
        return hidden is { } c ? $"contains U+{(int)c:X4}, a control, formatting or separator character" : null;
    }

    private static bool IsHidden(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;

    private static string? KdfProblem(string kind, KdfDocument kdf)
    {
        if (kdf.Salt.Length != KeyDerivation.SaltSize)
        {
            return $"its salt is {kdf.Salt.Length} bytes, not {KeyDerivation.SaltSize}";
        }

        return kind switch
        {
            KeySlotKinds.KeyFile => kdf.Algorithm == KeyDerivation.HkdfSha256 ? null : $"a keyfile slot must use {KeyDerivation.HkdfSha256}, not '{kdf.Algorithm}'",
            KeySlotKinds.Passphrase => PassphraseKdfProblem(kdf),
            _ => $"its kind '{kind}' is neither '{KeySlotKinds.KeyFile}' nor '{KeySlotKinds.Passphrase}'",
        };
    }

    private static string? PassphraseKdfProblem(KdfDocument kdf)
    {
        if (kdf.Algorithm != KeyDerivation.Argon2id)
        {
            return $"a passphrase slot must use {KeyDerivation.Argon2id}, not '{kdf.Algorithm}'";
        }

        if (kdf.MemoryKiB is not { } memory || kdf.Iterations is not { } iterations || kdf.Parallelism is not { } parallelism)
        {
            return "its Argon2id costs (memoryKiB, iterations, parallelism) are incomplete";
        }

        return new Argon2Parameters(memory, iterations, parallelism).Problem;
    }

    private static string? WrapProblem(WrapDocument wrap)
    {
        if (wrap.Algorithm != "aes-256-gcm")
        {
            return $"its wrap algorithm '{wrap.Algorithm}' is not aes-256-gcm";
        }

        if (wrap.Nonce.Length != NonceSize)
        {
            return $"its nonce is {wrap.Nonce.Length} bytes, not {NonceSize}";
        }

        return wrap.Ciphertext.Length == WrappedSize ? null : $"its wrapped key is {wrap.Ciphertext.Length} bytes, not {WrappedSize}";
    }
}
