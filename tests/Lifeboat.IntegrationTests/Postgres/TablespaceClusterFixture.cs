using Lifeboat.TestKit.Servers;
using static Lifeboat.IntegrationTests.Postgres.ArchivingCluster;

namespace Lifeboat.IntegrationTests.Postgres;

/// <summary>
/// One archiving cluster with a second tablespace and a base backup of it, then more writes archived after: shared by
/// the tablespace layout tests, which refuse before writing or restore beside it, so that it starts once.
/// </summary>
public sealed class TablespaceClusterFixture : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public PrivatePostgres Cluster { get; private set; } = null!;

    /// <summary>The configuration the cluster archives with (lifeboat.yaml in the cluster's lifeboat directory).</summary>
    public string Config { get; private set; } = null!;

    /// <summary>The directory holding the configuration and the repository, the server's user's.</summary>
    public string Work => Path.GetDirectoryName(Config)!;

    /// <summary>The tablespace's directory on the server.</summary>
    public string Location { get; private set; } = null!;

    /// <summary>The tablespace's OID.</summary>
    public string Oid { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Cluster = await PrivatePostgres.CreateAsync(Ct);
        Config = await StartArchivingAsync(Cluster);
        Location = await Cluster.CreateServerDirectoryAsync("ts1", Ct);
        await Cluster.ExecuteAsync($"CREATE TABLESPACE ts1 LOCATION '{Location}'", Ct);
        Oid = (await Cluster.QueryValueAsync("SELECT oid FROM pg_tablespace WHERE spcname = 'ts1'", Ct))!;
        await Cluster.ExecuteAsync(
            "CREATE TABLE t (id int PRIMARY KEY, v text) TABLESPACE ts1; INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g; " +
            "CREATE TABLE home (id int PRIMARY KEY, v text); INSERT INTO home SELECT g, md5(g::text) FROM generate_series(1, 5000) g",
            Ct);
        var backup = await AsServerUserAsync("--config", Config, "backup", "postgres", "--physical", "--archive-timeout", "120");
        Assert.True(backup.ExitCode == 0, backup.Stderr);

        // Changes after the backup reach the copy only through the archived WAL, into both tablespaces.
        await Cluster.ExecuteAsync("INSERT INTO t SELECT g, 'after backup' FROM generate_series(20001, 25000) g; UPDATE home SET v = 'after backup' WHERE id <= 100", Ct);
        var last = (await Cluster.QueryValueAsync("SELECT pg_walfile_name(pg_current_wal_lsn())", Ct))!;
        await Cluster.ExecuteAsync("SELECT pg_switch_wal()", Ct);
        await WaitUntilArchivedAsync(Cluster, last);
    }

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
