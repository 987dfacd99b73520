using System.Text;
using CsCheck;
using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

public class ObjectKeyComparerTests
{
    // Mostly ASCII around '/', some BMP above the surrogates, some astral: where UTF-16 and UTF-8 order differ.
    private static readonly Gen<string> Keys = Gen.OneOf(
            Gen.Int['-', '0'],
            Gen.Int['a', 'c'],
            Gen.Int[0xE000, 0xFFFF],
            Gen.Int[0xD7F0, 0xD7FF],
            Gen.Int[0x10000, 0x10FFFF])
        .Select(codePoint => new Rune(codePoint).ToString())
        .Array[0, 6]
        .Select(string.Concat);

    [Fact]
    public void Orders_keys_exactly_as_their_utf8_bytes() =>
        Gen.Select(Keys, Keys).Sample((a, b) =>
            Math.Sign(ObjectKeyComparer.Instance.Compare(a, b))
            == Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b))));

    [Fact]
    public void Puts_an_astral_character_after_the_top_of_the_basic_plane()
    {
        Assert.True(ObjectKeyComparer.Instance.Compare("\uFFFD", "😀") < 0);
        Assert.True(string.CompareOrdinal("\uFFFD", "😀") > 0);
    }

    [Fact]
    public void Sorts_a_folder_after_its_dash_and_dot_siblings() =>
        Assert.Equal(["a-b", "a.txt", "a/", "a0"], new[] { "a0", "a/", "a.txt", "a-b" }.Order(ObjectKeyComparer.Instance));
}
