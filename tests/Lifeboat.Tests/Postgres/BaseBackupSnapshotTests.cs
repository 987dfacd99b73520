using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

public sealed class BaseBackupSnapshotTests
{
    [Fact]
    public void A_snapshot_reads_as_pg_current_snapshot_writes_it()
    {
        Assert.Equal(new BaseBackupSnapshot(740, 745, [740, 743]).ToString(), BaseBackupSnapshot.TryParse("740:745:740,743")!.ToString());
        Assert.Empty(BaseBackupSnapshot.TryParse("745:745:")!.Running);
        Assert.Null(BaseBackupSnapshot.TryParse("745:745"));
        Assert.Null(BaseBackupSnapshot.TryParse("a:745:"));
    }

    [Fact]
    public void A_transaction_had_finished_when_it_lies_below_xmax_and_was_not_running()
    {
        var snapshot = BaseBackupSnapshot.TryParse("740:745:740,743")!;

        Assert.True(snapshot.HadFinished(739));
        Assert.True(snapshot.HadFinished(744));
        Assert.False(snapshot.HadFinished(740));
        Assert.False(snapshot.HadFinished(743));
        Assert.False(snapshot.HadFinished(745));
        Assert.False(snapshot.HadFinished(9000));
    }

    [Fact]
    public void Full_transaction_ids_are_compared_by_their_32_bits_as_recovery_compares_them()
    {
        // Epoch 1: xid8 4294967396 is the 32-bit transaction 100.
        var snapshot = BaseBackupSnapshot.TryParse("4294967390:4294967396:")!;

        Assert.True(snapshot.HadFinished(95));
        Assert.False(snapshot.HadFinished(100));
        Assert.True(TransactionIds.Follows(5, uint.MaxValue - 5));
        Assert.Equal(5u, TransactionIds.Later(uint.MaxValue - 5, 5));
    }
}
