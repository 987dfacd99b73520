using Lifeboat.Buckets;
using Lifeboat.Buckets.History;
using Lifeboat.Buckets.Index;
using Lifeboat.Cli;
using Lifeboat.Cli.Sources.Buckets;

namespace Lifeboat.Tests.Sources;

/// <summary>How 'versions' words a key's history, and how 'cat' and 'versions' parse.</summary>
public sealed class BucketVersionsOutputTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset Then = new(2026, 5, 1, 10, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void A_version_both_sides_hold_shows_its_short_sha_and_yes_twice()
    {
        var row = new KeyVersion("v1", Then, 2048, Sha, false, VersionState.Current, AtSource: true, InLifeboat: true);

        Assert.Equal(["v1", "2026-05-01 10:00:00.123", "2.0 KiB", "0123456789ab", "current", "yes", "yes"], BucketVersionsOutput.Cells(row, sourceListed: true));
    }

    [Fact]
    public void A_version_only_lifeboat_holds_is_expired_at_the_source_and_unknown_when_the_source_was_not_listed()
    {
        var row = new KeyVersion("v1", Then, 5, Sha, false, VersionState.NonCurrent, AtSource: false, InLifeboat: true);

        Assert.Equal("expired", BucketVersionsOutput.Cells(row, sourceListed: true)[5]);
        Assert.Equal("unknown", BucketVersionsOutput.Cells(row, sourceListed: false)[5]);
        Assert.Equal("non-current", BucketVersionsOutput.Cells(row, sourceListed: true)[4]);
    }

    [Fact]
    public void A_delete_marker_has_no_size_or_sha_and_one_lifeboat_made_says_so()
    {
        var marker = new KeyVersion("m1", Then, 0, null, true, VersionState.DeleteMarker, AtSource: true, InLifeboat: false);
        var synthesized = new KeyVersion("null", Then, 0, null, true, VersionState.DeleteMarker, AtSource: false, InLifeboat: true, Synthesized: true);

        Assert.Equal(["m1", "2026-05-01 10:00:00.123", "-", "-", "delete marker", "yes", "no"], BucketVersionsOutput.Cells(marker, sourceListed: true));
        Assert.Equal("deleted (noticed by Lifeboat)", BucketVersionsOutput.Cells(synthesized, sourceListed: true)[4]);
    }

    [Fact]
    public void The_json_leaves_at_source_null_when_the_source_was_not_listed()
    {
        var failure = new LifeboatException("cannot reach S3 endpoint http://x");
        var history = new KeyVersions("k", [new KeyVersion("v1", Then, 5, Sha, false, VersionState.Current, false, true)], "S", failure, []);

        var summary = BucketVersionsOutput.Summary(history);

        Assert.False(summary.SourceListed);
        Assert.Equal("cannot reach S3 endpoint http://x", summary.SourceError);
        Assert.Null(Assert.Single(summary.Versions).AtSource);
        Assert.Equal("current", summary.Versions[0].State);
    }

    [Fact]
    public void The_warning_for_an_unlisted_source_is_one_line_with_the_hint_worded_for_the_command_line()
    {
        var failure = new LifeboatException("cannot reach S3 endpoint http://x:1.", "is it running?") { Remedy = new(RemedyAction.CheckSourceS3Endpoint) };

        Assert.Equal(
            "lifeboat: warning: the source was not listed, so only Lifeboat's history is shown: cannot reach S3 endpoint http://x:1. "
            + "hint: is it running?; check buckets[].endpoint and that the S3 server is running and reachable from here",
            BucketVersionsCommand.SourceWarning(failure));
    }

    [Fact]
    public void Cat_takes_a_key_and_its_own_version_option_after_the_id()
    {
        var parse = Program.BuildRoot().Parse(["cat", "ID", "dir/a b.txt", "--version", "v1"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("dir/a b.txt", parse.GetValue<string?>("FILE"));
        Assert.Equal("v1", parse.GetValue<string?>("--version"));
    }

    [Fact]
    public void Versions_needs_a_key()
    {
        Assert.NotEmpty(Program.BuildRoot().Parse(["versions"]).Errors);
        Assert.Empty(Program.BuildRoot().Parse(["versions", "--key", "a/b", "--name", "assets"]).Errors);
    }

    [Fact]
    public void A_snapshot_in_list_names_its_objects_and_its_versions()
    {
        var manifest = new Lifeboat.Repository.BackupManifest
        {
            Id = "x",
            Source = BucketSnapshotInfo.SourceType,
            Name = "assets",
            Kind = BucketSnapshotInfo.Kind,
            StartedAt = Then,
            FinishedAt = Then,
            Objects = [],
            Details = new BucketSnapshotInfo
            {
                Bucket = "b",
                Versioned = true,
                ListedAt = Then,
                HistoryFrom = Then,
                NoncurrentDays = 90,
                Objects = 1234,
                Versions = 1300,
            }.ToDetails(),
        };

        Assert.Equal("1,234 objects, 1,300 versions", BucketSnapshotDescription.KindDetail(manifest));
    }
}
