namespace Lifeboat.Format;

/// <summary>The kinds of key slot, as they appear in slot JSON.</summary>
internal static class KeySlotKinds
{
    /// <summary>A slot opened by a 32-byte key file.</summary>
    public const string KeyFile = "keyfile";

    /// <summary>A slot opened by a passphrase.</summary>
    public const string Passphrase = "passphrase";
}
