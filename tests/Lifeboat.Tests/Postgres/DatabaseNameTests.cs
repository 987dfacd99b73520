using System.Text;
using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

public sealed class DatabaseNameTests
{
    [Theory]
    [InlineData("postgres")]
    [InlineData("template0")]
    [InlineData("template1")]
    public void The_servers_own_databases_are_refused_as_restore_targets(string target)
    {
        var error = Assert.Throws<LifeboatException>(() => DatabaseAdmin.ValidateTarget(target));

        Assert.Equal(FailureKind.Usage, error.Kind);
    }

    [Fact]
    public void A_target_longer_than_63_bytes_is_refused()
    {
        Assert.Throws<LifeboatException>(() => DatabaseAdmin.ValidateTarget(new string('é', 32)));
    }

    [Fact]
    public void Derived_names_fit_63_bytes_keep_their_random_suffix_and_never_split_a_character()
    {
        var target = new string('ü', 31) + "x";

        var staging = DatabaseAdmin.DerivedName(target, "lbrestore");

        Assert.True(Encoding.UTF8.GetByteCount(staging) <= 63);
        Assert.Matches("_lbrestore_[0-9a-f]{8}$", staging);
        Assert.Equal(staging, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(staging)));
        Assert.NotEqual(staging, DatabaseAdmin.DerivedName(target, "lbrestore"));
    }
}
