using Lifeboat.Postgres;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Tests.Postgres;

public sealed class PitrTargetTests
{
    [Fact]
    public void Each_kind_of_target_is_written_as_its_own_recovery_setting_with_the_action()
    {
        Assert.Equal(
            [("recovery_target_time", "2026-12-03 10:42:35.250000+00"), ("recovery_target_action", "promote")],
            new PitrTarget { Time = DateTimeOffset.Parse("2026-12-03T11:42:35.25+01:00", System.Globalization.CultureInfo.InvariantCulture) }.RecoverySettings());
        Assert.Equal(
            [("recovery_target_lsn", "0/7FA920"), ("recovery_target_inclusive", "off"), ("recovery_target_action", "pause")],
            new PitrTarget { Position = WalPosition.TryParse("0/7FA920"), Inclusive = false, Action = PitrTargetAction.Pause }.RecoverySettings());
        Assert.Equal(
            [("recovery_target_xid", "4294967396"), ("recovery_target_action", "shutdown")],
            new PitrTarget { TransactionId = 4294967396, Action = PitrTargetAction.Shutdown }.RecoverySettings());
        Assert.Equal([("recovery_target_name", "before-migration"), ("recovery_target_action", "promote")], new PitrTarget { RestorePoint = "before-migration" }.RecoverySettings());
    }

    [Fact]
    public void Recovery_to_the_end_of_the_archive_names_no_target_and_no_action()
    {
        var latest = new PitrTarget();

        Assert.True(latest.Latest);
        Assert.Empty(latest.RecoverySettings());
        Assert.Equal("the end of the archive", latest.ToString());
    }

    [Fact]
    public void A_transaction_target_compares_its_32_bits()
    {
        Assert.Equal(100u, new PitrTarget { TransactionId = 4294967396 }.Xid);
        Assert.Equal("transaction 812 (exclusive)", new PitrTarget { TransactionId = 812, Inclusive = false }.ToString());
    }
}
