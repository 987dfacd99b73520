using Lifeboat.Cli.Configuration;
using Lifeboat.Cli.Sources.Postgres;

namespace Lifeboat.Tests.Configuration;

public sealed class SourcePickerTests
{
    private static readonly PostgresSettings Postgres = new("pg", "h", 5432, "pg", "u", null, null, null);

    private static LifeboatSettings With(params ISourceSettings[] sources) => new("test.yaml", null!, sources);

    private static CacheSettings Cache(string name) => new(name, "h", 6379, null, false);

    [Fact]
    public void Without_a_name_the_only_entry_of_the_kind_is_picked_whatever_other_kinds_have()
    {
        var picked = SourcePicker.Pick<CacheSettings>(With(Postgres, Cache("c")), CacheSourceSection.Kind, null);

        Assert.Equal("c", picked.Name);
    }

    [Fact]
    public void A_name_picks_the_entry_of_that_name()
    {
        var picked = SourcePicker.Pick<CacheSettings>(With(Cache("a"), Cache("b")), CacheSourceSection.Kind, "b");

        Assert.Equal("b", picked.Name);
    }

    [Fact]
    public void Without_a_name_several_entries_are_an_error_listing_their_names()
    {
        var error = Assert.Throws<LifeboatException>(() => SourcePicker.Pick<CacheSettings>(With(Cache("a"), Cache("b")), CacheSourceSection.Kind, null));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal("2 cache sources are configured (a, b)", error.Message);
        Assert.Equal("choose one with --name", error.Hint);
    }

    [Fact]
    public void A_name_that_is_not_configured_is_an_error_listing_the_configured_names()
    {
        var error = Assert.Throws<LifeboatException>(() => SourcePicker.Pick<CacheSettings>(With(Cache("a")), CacheSourceSection.Kind, "z"));

        Assert.Equal("no cache source named 'z' in test.yaml", error.Message);
        Assert.Equal("configured: a", error.Hint);
    }

    [Fact]
    public void No_entry_of_the_kind_is_an_error_naming_the_kind_its_section_and_its_keys()
    {
        var error = Assert.Throws<LifeboatException>(() => SourcePicker.Pick<CacheSettings>(With(Postgres), CacheSourceSection.Kind, null));

        Assert.Equal("no cache source is configured in test.yaml", error.Message);
        Assert.Equal("add a caches: entry (keys: name, host, port, passwordEnv, tls)", error.Hint);
    }
}
