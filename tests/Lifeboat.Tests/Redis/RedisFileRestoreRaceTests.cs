using System.Text;
using Lifeboat.Format;
using Lifeboat.Redis;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Redis.Rdb;
using Lifeboat.TestKit.Storage;

namespace Lifeboat.Tests.Redis;

/// <summary>
/// A file or directory that appears at the target path while the RDB is written beside it is refused as one there
/// from the start would have been, in one line, and left as it is; the temporary copy is removed.
/// </summary>
public sealed class RedisFileRestoreRaceTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-redis-race-").FullName;
    private BackupRepository _repository = null!;
    private BackupManifest _backup = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        _repository = await BackupRepository.InitAsync(new FileObjectStore(Path.Combine(_dir, "repo")), KeySecret.FromKeyFile(keyFile), new EnvelopeOptions(1, 1 << 16, 1), Ct);
        var rdb = RdbTestFiles.Bytes(RdbTestFiles.AllTypes);
        await using var server = ScriptedRedisServer.Start(async (connection, ct) =>
        {
            await connection.AnswerHandshakeAsync(ct);
            await connection.SendAsync([.. Encoding.ASCII.GetBytes($"${rdb.Length}\r\n"), .. rdb], ct);
            await connection.WaitForCloseAsync(ct);
        });
        _backup = await new RedisBackup(_repository, SilentReporter.Instance).RunAsync(new RedisSource { Name = "cache", Host = "127.0.0.1", Port = server.Port }, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_file_made_at_the_target_while_the_rdb_is_written_is_refused_and_kept()
    {
        var target = Path.Combine(_dir, "dump.rdb");
        var restore = new RedisFileRestore(_repository, new MakesWhileWriting(() => File.WriteAllText(target, "theirs")));

        var e = await Assert.ThrowsAsync<LifeboatException>(() => restore.ToFileAsync(_backup, target, force: false, Ct));

        Assert.Equal($"{target} exists; the restore would replace that file", e.Message);
        Assert.Equal(FailureKind.Usage, e.Kind);
        Assert.Equal("theirs", await File.ReadAllTextAsync(target, Ct));
        Assert.Equal(["dump.rdb"], Directory.GetFileSystemEntries(_dir, "*dump.rdb*").Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_directory_made_at_the_target_while_the_rdb_is_written_is_refused_and_kept()
    {
        var target = Path.Combine(_dir, "appendonlydir");
        var restore = new RedisFileRestore(_repository, new MakesWhileWriting(() => File.WriteAllText(Path.Combine(Directory.CreateDirectory(target).FullName, "theirs"), "x")));

        var e = await Assert.ThrowsAsync<LifeboatException>(() => restore.ToAofDirectoryAsync(_backup, target, force: false, Ct));

        Assert.Equal($"{target} exists; the restore would replace that directory", e.Message);
        Assert.Equal(["theirs"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
        Assert.Equal(["appendonlydir"], Directory.GetFileSystemEntries(_dir, "*appendonlydir*").Select(Path.GetFileName));
    }

    /// <summary>Runs the test's action when the restore starts to copy the RDB: after it looked at the target, before it takes the target's name.</summary>
    private sealed class MakesWhileWriting(Action make) : IActivityReporter
    {
        public void Event(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false)
        {
            make();
            return SilentReporter.Instance.StartTransfer(description, totalBytes, estimated);
        }

        public IProgress<ItemsDone> StartItems(string description, int totalItems) => SilentReporter.Instance.StartItems(description, totalItems);
    }
}
