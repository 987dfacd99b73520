using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

public class ObjectKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("postgres/dev_platform/dumps/2026-02-15T020000Z-abc/data")]
    [InlineData("with space/plus+sign/%20/ümlaut/🚀")]
    [InlineData("..hidden/.dotfile/a..b")]
    [InlineData("tab\tand\nnewline")]
    public void Valid_keys_pass(string key) => ObjectKey.Validate(key);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/abs", "starts with '/'")]
    [InlineData("a//b", "empty segment")]
    [InlineData("a/", "ends with '/'")]
    [InlineData("..", "'..' segment")]
    [InlineData("a/../b", "'..' segment")]
    [InlineData(".", "'.' segment")]
    [InlineData("a/./b", "'.' segment")]
    [InlineData("nul\0", "NUL")]
    public void Invalid_keys_are_rejected_with_the_reason(string key, string reason)
    {
        var error = Assert.Throws<InvalidObjectKeyException>(() => ObjectKey.Validate(key));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.NotNull(error.Hint);
    }

    [Fact]
    public void Keys_with_a_lone_surrogate_are_rejected()
    {
        // Not [InlineData]: attribute strings are stored as UTF-8, which turns the surrogate into U+FFFD.
        var error = Assert.Throws<InvalidObjectKeyException>(() => ObjectKey.Validate("lone" + (char)0xD800));

        Assert.Contains("surrogate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_longer_than_1024_utf8_bytes_are_rejected()
    {
        ObjectKey.Validate(new string('é', 512));

        Assert.Throws<InvalidObjectKeyException>(() => ObjectKey.Validate(new string('é', 513)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("postgres/")]
    [InlineData("postgres/dev")]
    [InlineData("postgres/dev/dumps/2026-")]
    [InlineData("..partial")]
    public void Valid_prefixes_pass(string prefix) => ObjectKey.ValidatePrefix(prefix);

    [Theory]
    [InlineData("/abs")]
    [InlineData("a//")]
    [InlineData("../x")]
    [InlineData("a/./")]
    [InlineData("nul\0")]
    public void Invalid_prefixes_are_rejected(string prefix) =>
        Assert.Throws<InvalidObjectKeyException>(() => ObjectKey.ValidatePrefix(prefix));
}
