using Lifeboat.IO;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// restore pitr names the data directory it laid out by its path with every link resolved, and, run as root, refuses a
/// path through a link another user could have put there. Part of <see cref="PitrLayoutTests"/>, to share its backup.
/// </summary>
public sealed partial class PitrLayoutTests
{
    [Fact]
    public async Task A_data_directory_named_through_a_link_is_laid_out_and_printed_at_its_resolved_path()
    {
        // The link lies in a directory only this user may write, as /var/run -> /run lies in root's /var.
        var work = Directory.CreateTempSubdirectory("lifeboat-linked-").FullName;
        try
        {
            var real = Path.Combine(work, "real-parent");
            Directory.CreateDirectory(real);
            var link = Path.Combine(work, "linked-parent");
            File.CreateSymbolicLink(link, "real-parent");

            var restore = await Infrastructure.Cli.RunAsync("--config", fixture.Config, "restore", "pitr", "--data-dir", Path.Combine(link, "main"), "--latest", "--tablespace-map", $"{fixture.Oid}={Path.Combine(work, "ts")}");

            Assert.True(restore.ExitCode == 0, restore.Stderr);
            Assert.Contains($" in {Path.Combine(real, "main")}, recovering to ", restore.Stdout, StringComparison.Ordinal);
            Assert.Contains($"pg_ctl -D {Path.Combine(real, "main")} ", restore.Stdout, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(real, "main", "PG_VERSION")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task As_root_a_data_directory_through_another_users_link_is_refused_naming_the_link_and_nothing_is_written()
    {
        var elsewhere = Path.Combine(fixture.Work, "not-yours");
        Directory.CreateDirectory(elsewhere);
        var link = Path.Combine(fixture.Work, "their-link");
        File.CreateSymbolicLink(link, elsewhere);
        var nobody = OsUser.Find("nobody")!;
        if (OsUser.CanGiveFilesAway && DirectoryCalls.FChownAt(-100, link, nobody.Uid, nobody.Gid, DirectoryCalls.SymlinkNoFollow) != 0)
            throw DirectoryCalls.Failed("lchown", link);

        var restore = await Infrastructure.Cli.RunAsync("--config", fixture.Config, "restore", "pitr", "--data-dir", Path.Combine(link, "main"), "--latest", "--tablespace-map", $"{fixture.Oid}={Path.Combine(fixture.Work, "their-ts")}");

        if (!OsUser.CanGiveFilesAway)
        {
            Assert.True(restore.ExitCode == 0, restore.Stderr); // the caller's own link, followed as the kernel would
            return;
        }

        Assert.Equal(2, restore.ExitCode);
        Assert.StartsWith(
            $"lifeboat: error: '{link}/main' cannot be reached safely: its component '{link}' is a symbolic link (to '{elsewhere}') that someone other than root could have put there or could change: the link belongs to uid {nobody.Uid}; root follows no such link; nothing was written. hint: ",
            restore.Stderr,
            StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }
}
