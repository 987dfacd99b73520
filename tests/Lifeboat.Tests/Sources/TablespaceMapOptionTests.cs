using Lifeboat.Cli.Sources.Postgres;

namespace Lifeboat.Tests.Sources;

/// <summary>--tablespace-map OID=DIR, read into a map of full paths.</summary>
public sealed class TablespaceMapOptionTests
{
    [Fact]
    public void Each_value_maps_an_oid_to_a_full_directory_path()
    {
        var map = TablespaceMapOption.Parse(["16384=/srv/ts1/", "16390=relative/ts2"]);

        Assert.Equal(new Dictionary<uint, string> { [16384] = "/srv/ts1", [16390] = Path.GetFullPath("relative/ts2") }, map);
    }

    [Theory]
    [InlineData("16384")]
    [InlineData("=/srv/ts1")]
    [InlineData("16384=")]
    [InlineData("ts1=/srv/ts1")]
    [InlineData("-1=/srv/ts1")]
    public void A_value_not_of_the_form_oid_equals_dir_is_a_usage_error(string value)
    {
        var error = Assert.Throws<LifeboatException>(() => TablespaceMapOption.Parse([value]));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal($"--tablespace-map takes OID=DIR, such as 16384=/srv/postgresql/ts1, not '{value}'", error.Message);
    }

    [Fact]
    public void An_oid_given_twice_is_a_usage_error()
    {
        var error = Assert.Throws<LifeboatException>(() => TablespaceMapOption.Parse(["16384=/a", "16384=/b"]));

        Assert.Equal("--tablespace-map names tablespace 16384 twice", error.Message);
    }

    [Fact]
    public void No_value_is_an_empty_map()
    {
        Assert.Empty(TablespaceMapOption.Parse(null));
    }
}
