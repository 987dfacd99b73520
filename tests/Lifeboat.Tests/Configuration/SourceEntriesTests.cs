using Lifeboat.Cli.Configuration;
using Microsoft.Extensions.Configuration;

namespace Lifeboat.Tests.Configuration;

public sealed class SourceEntriesTests
{
    private static IReadOnlyList<ISourceSettings> Read(params (string Key, string Value)[] file)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(file.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)))
            .Build();
        var values = new ConfigValues(configuration, new ConfigurationBuilder().Build(), "test.yaml", "/base");
        return SourceEntries.Read(values, CacheSourceSection.Kind);
    }

    [Fact]
    public void A_registered_source_kind_binds_its_entries_in_list_order_with_the_declared_defaults()
    {
        var entries = Read(("caches:1:name", "b"), ("caches:0:name", "a"), ("caches:0:tls", "true"));

        Assert.Equal(
            [new CacheSettings("a", "localhost", 6379, null, true), new CacheSettings("b", "localhost", 6379, null, false)],
            entries.Cast<CacheSettings>());
    }

    [Fact]
    public void Two_entries_of_a_registered_kind_with_one_name_are_an_error_naming_both_positions()
    {
        var error = Assert.Throws<LifeboatException>(() => Read(("caches:0:name", "c"), ("caches:3:name", "c")));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal("two cache sources are named 'c' in test.yaml (caches[0] and caches[3])", error.Message);
    }

    [Fact]
    public void An_entry_of_a_registered_kind_without_a_name_is_an_error_naming_the_key()
    {
        var error = Assert.Throws<LifeboatException>(() => Read(("caches:0:host", "h")));

        Assert.Equal("caches[0].name is required in test.yaml", error.Message);
    }

    [Fact]
    public void An_empty_value_in_an_entry_is_an_error_not_the_default()
    {
        var error = Assert.Throws<LifeboatException>(() => Read(("caches:0:name", "c"), ("caches:0:host", " ")));

        Assert.Equal("caches[0].host in test.yaml is empty", error.Message);
    }

    [Fact]
    public void A_bool_key_accepts_only_true_or_false()
    {
        var error = Assert.Throws<LifeboatException>(() => Read(("caches:0:name", "c"), ("caches:0:tls", "maybe")));

        Assert.Equal("caches[0].tls in test.yaml must be true or false, not 'maybe'", error.Message);
    }

    [Fact]
    public void A_secret_reference_in_an_entry_that_is_not_a_variable_name_is_not_echoed()
    {
        var error = Assert.Throws<LifeboatException>(() => Read(("caches:0:name", "c"), ("caches:0:passwordEnv", "s3cret pass")));

        Assert.StartsWith("caches[0].passwordEnv in test.yaml must name an environment variable", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message + error.Hint, StringComparison.Ordinal);
    }
}
