using System.Text;
using Lifeboat.Redis.ServerRestore;

namespace Lifeboat.Tests.Redis;

/// <summary>The key glob follows Redis's stringmatchlen, case by case.</summary>
public sealed class RedisGlobTests
{
    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("*", "", true)]
    [InlineData("user:*", "user:42", true)]
    [InlineData("user:*", "users:42", false)]
    [InlineData("h?llo", "hello", true)]
    [InlineData("h?llo", "hllo", false)]
    [InlineData("h[ae]llo", "hallo", true)]
    [InlineData("h[ae]llo", "hillo", false)]
    [InlineData("h[^e]llo", "hallo", true)]
    [InlineData("h[^e]llo", "hello", false)]
    [InlineData("h[a-c]llo", "hbllo", true)]
    [InlineData("h[c-a]llo", "hbllo", true)]
    [InlineData("h[a-c]llo", "hdllo", false)]
    [InlineData(@"h\*llo", "h*llo", true)]
    [InlineData(@"h\*llo", "hello", false)]
    [InlineData(@"h[\]]llo", "h]llo", true)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXbYY", false)]
    [InlineData("*:*:*", "a:b:c", true)]
    [InlineData("abc*", "abc", true)]
    [InlineData("abc", "abcd", false)]
    [InlineData("h[ab", "ha", true)]
    [InlineData("h[ab", "hc", false)]
    public void A_key_matches_as_Redis_matches_it(string pattern, string key, bool matches) =>
        Assert.Equal(matches, RedisGlob.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(key)));

    [Fact]
    public void A_pattern_of_many_stars_against_a_long_key_that_does_not_match_ends_quickly()
    {
        var pattern = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*a", 30)) + "b");
        var key = Encoding.ASCII.GetBytes(new string('a', 10_000));

        Assert.False(RedisGlob.IsMatch(pattern, key));
    }
}
