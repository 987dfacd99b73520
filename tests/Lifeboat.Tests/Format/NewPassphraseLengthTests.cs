using Lifeboat.Format;

namespace Lifeboat.Tests.Format;

/// <summary>A passphrase for a new slot has at least 12 characters; an existing slot opens whatever its passphrase.</summary>
public sealed class NewPassphraseLengthTests
{
    [Theory]
    [InlineData("tiny-pw")]
    [InlineData("elevenchars")]
    [InlineData("ünïcödé-10")]
    public void A_passphrase_under_12_characters_is_refused_for_a_new_slot_as_a_usage_error(string passphrase)
    {
        var error = Assert.Throws<LifeboatException>(() => KeySecret.FromPassphrase(passphrase).ThrowIfTooWeakForNewSlot());

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal("the new passphrase is shorter than 12 characters, which is too short to protect the repository; nothing was written", error.Message);
        Assert.DoesNotContain(passphrase, error.Message + error.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("twelve-chars")]
    [InlineData("correct horse battery staple")]
    public void A_passphrase_of_12_characters_or_more_is_accepted(string passphrase)
    {
        KeySecret.FromPassphrase(passphrase).ThrowIfTooWeakForNewSlot();
    }

    [Fact]
    public void A_key_file_is_never_too_weak()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("lifeboat-keyfile-").FullName, "repo.key");
        KeyFile.Create(path);

        KeySecret.FromKeyFile(path).ThrowIfTooWeakForNewSlot();
    }

    [Fact]
    public void An_existing_slot_under_a_short_passphrase_still_opens()
    {
        using var key = DataKey.Generate();
        var secret = KeySecret.FromPassphrase("short", new Argon2Parameters(64, 1, 1));
        var slot = KeySlot.FromJson(KeySlot.Create(key, secret).ToJson(), "keys/old");

        using var opened = slot.TryOpen(secret);

        Assert.NotNull(opened);
    }
}
