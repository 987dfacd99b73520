using System.Text;
using System.Text.RegularExpressions;
using Lifeboat.IntegrationTests.Infrastructure;
using static Lifeboat.IntegrationTests.Redis.RedisTestServers;

namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A snapshot whose stored object is sound (it decrypts, its size and SHA-256 match the manifest) but whose RDB is not:
/// 'check --read-data' finds it, and neither restore writes anything from it.
/// </summary>
public sealed class RedisCliDamagedRdbTests
{
    private const string Marker = "lifeboat-flip-me";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public enum Damage
    {
        /// <summary>One byte of a value flipped: the RDB still parses, only its CRC64 tells.</summary>
        Flipped,

        /// <summary>Cut off where its end marker (0xFF and the CRC64) begins: every key is whole, the end is missing.</summary>
        Truncated,
    }

    [Theory]
    [InlineData(Damage.Flipped)]
    [InlineData(Damage.Truncated)]
    public async Task Check_read_data_reports_the_damaged_rdb_of_a_sound_object_in_one_line_and_exits_unhealthy(Damage damage)
    {
        var (repo, config, id) = await BackedUpAndDamagedAsync(damage);
        await using var _repo = repo;

        var check = await Infrastructure.Cli.RunAsync("--config", config, "check", "--read-data");

        Assert.True(check.ExitCode == 3, $"exit {check.ExitCode}\n{check.Stdout}{check.Stderr}");
        var problem = Assert.Single(check.Stderr.Split('\n'), l => l.StartsWith("lifeboat: problem:", StringComparison.Ordinal));
        Assert.True(problem.StartsWith($"lifeboat: problem: redis/cache the RDB of backup {id} {Expected(damage)}", StringComparison.Ordinal), problem);
        Assert.Contains("1 problem(s) found", check.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CRC64 check out", check.Stdout, StringComparison.Ordinal);
    }

    // The restore into a server reads the RDB with its own parser, which words the same faults its own way.
    [Theory]
    [InlineData(Damage.Flipped, @"cannot be read at byte \d+: its checksum fails: the RDB says [0-9a-f]{16}, its bytes give [0-9a-f]{16}\. hint: ")]
    [InlineData(Damage.Truncated, @"is truncated: it ends at byte \d+\. hint: ")]
    public async Task A_restore_into_a_server_fails_in_one_line_and_leaves_the_server_empty(Damage damage, string fault)
    {
        var (repo, config, id) = await BackedUpAndDamagedAsync(damage);
        await using var _repo = repo;
        await using var target = await StartAsync(Ct);
        await using var targetAdmin = await ConnectAsync(target);

        var restore = await Infrastructure.Cli.RunAsync("--config", config, "restore", "redis", "--backup", id, "--to-server", $"{target.Host}:{target.Port}");

        Assert.True(restore.ExitCode == 1, $"exit {restore.ExitCode}\n{restore.Stdout}{restore.Stderr}");
        var error = Assert.Single(restore.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(Regex.IsMatch(error, $"^lifeboat: error: the RDB of backup {Regex.Escape(id)} {fault}"), error);
        Assert.Empty(await RedisTestServer.KeyCountsAsync(targetAdmin));
        Assert.Empty(await RedisTestServer.LibrariesAsync(targetAdmin));
    }

    [Theory]
    [InlineData(Damage.Flipped, false)]
    [InlineData(Damage.Truncated, false)]
    [InlineData(Damage.Flipped, true)]
    [InlineData(Damage.Truncated, true)]
    public async Task A_restore_to_a_file_fails_in_one_line_and_leaves_nothing_in_its_directory(Damage damage, bool aof)
    {
        var (repo, config, id) = await BackedUpAndDamagedAsync(damage);
        await using var _repo = repo;
        var directory = NewDirectory("redis-damaged");
        var target = Path.Combine(directory, aof ? "appendonlydir" : "dump.rdb");

        var restore = await Infrastructure.Cli.RunAsync(["--config", config, "restore", "redis", "--backup", id, "--to", target, .. aof ? ["--aof"] : Array.Empty<string>()]);

        Assert.True(restore.ExitCode == 1, $"exit {restore.ExitCode}\n{restore.Stdout}{restore.Stderr}");
        var error = Assert.Single(restore.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(error.StartsWith($"lifeboat: error: the RDB of backup {id} {Expected(damage)}", StringComparison.Ordinal), error);
        Assert.Empty(Directory.GetFileSystemEntries(directory));
    }

    private static string Expected(Damage damage) => damage == Damage.Flipped
        ? "fails its CRC64 check: its trailer records "
        : "is truncated or damaged: its ";

    /// <summary>A real snapshot of a filled server, then its RDB damaged and stored as a newer snapshot beside it; returns that one's id.</summary>
    private static async Task<(TestRepository Repo, string Config, string Id)> BackedUpAndDamagedAsync(Damage damage)
    {
        var repo = await TestRepository.CreateLocalAsync();
        try
        {
            await using var source = await StartAsync(Ct);
            await using (var client = await ConnectAsync(source))
            {
                await FillAsync(client);
                await client.GetDatabase(0).StringSetAsync("marker", Marker);
            }

            var config = WriteConfig(repo, source);
            var backup = await Infrastructure.Cli.RunAsync("--config", config, "backup", "redis");
            Assert.True(backup.ExitCode == 0, backup.Stderr);
            var sound = Assert.Single(await repo.Repository.ListBackupsAsync(null, Ct));
            var rdb = await StoredSnapshot.ReadRdbAsync(repo.Repository, sound, Ct);
            var damaged = await StoredSnapshot.StoreAsync(repo.Repository, sound, Damaged(rdb, damage), Ct);
            return (repo, config, damaged.Id);
        }
        catch
        {
            await repo.DisposeAsync();
            throw;
        }
    }

    private static byte[] Damaged(byte[] rdb, Damage damage)
    {
        if (damage == Damage.Truncated)
            return rdb[..^9];
        var marker = rdb.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Marker));
        Assert.True(marker > 0 && rdb.AsSpan(marker + 1).IndexOf(Encoding.ASCII.GetBytes(Marker)) < 0, "the marker value appears once, stored as it is");
        var flipped = rdb.ToArray();
        flipped[marker + Marker.IndexOf('f', StringComparison.Ordinal)] ^= 0x20;
        return flipped;
    }
}
