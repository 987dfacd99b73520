using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

public sealed class SpoolPlaceTests
{
    private const long Archive = 1L << 30;

    [Fact]
    public void An_archive_that_fits_twice_in_shared_memory_with_four_times_free_memory_is_spooled_in_memory() =>
        Assert.True(SpoolPlace.FitsInMemory(Archive, sharedMemoryFree: 2 * Archive, memoryAvailable: 4 * Archive, cgroupRoom: null));

    [Theory]
    [InlineData(64L << 20, 16L << 30, null)] // a pod's default 64 MB /dev/shm
    [InlineData(16L << 30, 3L << 30, null)] // too little free memory on the machine
    [InlineData(16L << 30, 16L << 30, 2L << 30)] // a container limit close above the archive
    public void An_archive_without_room_to_spare_in_memory_is_spooled_on_disk(long sharedMemoryFree, long memoryAvailable, long? cgroupRoom) =>
        Assert.False(SpoolPlace.FitsInMemory(Archive, sharedMemoryFree, memoryAvailable, cgroupRoom));

    [Fact]
    public void Without_a_tmpfs_or_a_readable_memory_figure_the_disk_is_used() =>
        Assert.False(SpoolPlace.FitsInMemory(Archive, sharedMemoryFree: null, memoryAvailable: null, cgroupRoom: null));
}
