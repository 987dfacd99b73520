using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

public sealed class CustomArchiveOffsetsTests
{
    private static TestArchive Sample(int minor = 14, int intSize = 4, int offSize = 8) =>
        new TestArchive(minor, intSize, offSize)
            .Schema(1)
            .Table(2, TestArchive.Bytes(40), TestArchive.Bytes(300, 2), TestArchive.Bytes(7, 3))
            .Schema(3)
            .Table(4)
            .DataNeverWritten(5)
            .LargeObjects(6, (16400, [TestArchive.Bytes(1000), TestArchive.Bytes(1000, 9)]), (16401, []), (-5, [TestArchive.Bytes(3)]))
            .Table(7, TestArchive.Bytes(70_000, 4));

    [Theory]
    [MemberData(nameof(TestArchive.KnownMinorVersions), MemberType = typeof(TestArchive))]
    public void A_streamed_archive_of_each_known_version_is_patched_into_what_pg_dump_writes_to_a_file(int minor)
    {
        var archive = Sample(minor);

        var (patched, bytes) = Spool(archive.Build(withOffsets: false));

        Assert.True(patched);
        Assert.Equal(archive.Build(withOffsets: true), bytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(4096)]
    public void The_result_does_not_depend_on_how_the_bytes_are_split_into_writes(int piece)
    {
        var archive = Sample();

        var (patched, bytes) = Spool(archive.Build(withOffsets: false), piece);

        Assert.True(patched);
        Assert.Equal(archive.Build(withOffsets: true), bytes);
    }

    [Theory]
    [InlineData(8, 8)]
    [InlineData(4, 4)]
    [InlineData(8, 6)]
    public void Other_integer_and_offset_sizes_of_the_header_are_followed(int intSize, int offSize)
    {
        var archive = Sample(intSize: intSize, offSize: offSize);

        var (patched, bytes) = Spool(archive.Build(withOffsets: false));

        Assert.True(patched);
        Assert.Equal(archive.Build(withOffsets: true), bytes);
    }

    [Fact]
    public void Positions_too_large_for_the_offset_size_leave_the_file_untouched()
    {
        // The block of entry 8 starts past the 70,000 bytes of entry 7, beyond what two bytes can hold.
        var streamed = Sample(offSize: 2).Table(8, TestArchive.Bytes(1)).Build(withOffsets: false);

        var (patched, bytes) = Spool(streamed);

        Assert.False(patched);
        Assert.Equal(streamed, bytes);
    }

    [Fact]
    public void An_archive_cut_anywhere_but_between_data_blocks_leaves_the_file_untouched()
    {
        var archive = new TestArchive().Schema(1).Table(2, TestArchive.Bytes(20), TestArchive.Bytes(5)).LargeObjects(3, (16400, [TestArchive.Bytes(9)]));
        var streamed = archive.Build(withOffsets: false);
        var boundaries = BlockBoundaries(archive);

        for (var cut = 0; cut < streamed.Length; cut++)
        {
            if (boundaries.Contains(cut))
                continue;
            var (patched, bytes) = Spool(streamed[..cut]);

            Assert.False(patched, $"patched an archive cut at {cut}");
            Assert.Equal(streamed[..cut], bytes);
        }
    }

    public static TheoryData<string, int, byte> Garbles => new()
    {
        { "magic", 0, (byte)'X' },
        { "major version", 5, 2 },
        { "minor version too new", 6, 17 },
        { "minor version too old", 6, 11 },
        { "integer size", 8, 0 },
        { "offset size", 9, 9 },
        { "format", 10, 3 },
    };

    [Theory]
    [MemberData(nameof(Garbles))]
    public void A_header_that_is_not_understood_leaves_the_file_untouched(string what, int position, byte value)
    {
        var streamed = Sample().Build(withOffsets: false);
        streamed[position] = value;

        var (patched, bytes) = Spool(streamed);

        Assert.False(patched, what);
        Assert.Equal(streamed, bytes);
    }

    [Theory]
    [InlineData("an unknown block type", 2)]
    [InlineData("a block of an unknown entry", 99)]
    [InlineData("a block of an entry without data", 1)]
    [InlineData("a second block of the same entry", 4)]
    public void A_data_block_that_does_not_fit_the_toc_leaves_the_file_untouched(string what, int dumpIdOrType)
    {
        var archive = Sample();
        var streamed = archive.Build(withOffsets: false).ToList();
        var block = dumpIdOrType == 2 ? new byte[] { 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0 } : [1, 0, (byte)dumpIdOrType, 0, 0, 0, 0, 0, 0, 0, 0];
        streamed.AddRange(block);

        var (patched, bytes) = Spool([.. streamed]);

        Assert.False(patched, what);
        Assert.Equal([.. streamed], bytes);
    }

    [Fact]
    public void Trailing_bytes_after_the_last_block_leave_the_file_untouched()
    {
        var streamed = Sample().Build(withOffsets: false).Append((byte)1).ToArray();

        var (patched, bytes) = Spool(streamed);

        Assert.False(patched);
        Assert.Equal(streamed, bytes);
    }

    [Fact]
    public void A_bad_offset_flag_in_the_toc_leaves_the_file_untouched()
    {
        var archive = new TestArchive().Schema(1);
        var streamed = archive.Build(withOffsets: false);
        streamed[^9] = 7;

        var (patched, bytes) = Spool(streamed);

        Assert.False(patched);
        Assert.Equal(streamed, bytes);
    }

    [Fact]
    public void Random_bytes_neither_throw_nor_patch()
    {
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var streamed = Sample().Build(withOffsets: false);
            var garbled = (byte[])streamed.Clone();
            garbled[random.Next(garbled.Length)] ^= (byte)random.Next(1, 256);

            var (patched, bytes) = Spool(garbled, random.Next(1, 500));

            // A flipped byte inside a chunk's contents is invisible to the scan; that archive is still well formed.
            if (patched)
                Assert.Equal(Sample().Build(withOffsets: true).Length, bytes.Length);
            else
                Assert.Equal(garbled, bytes);
        }
    }

    [Fact]
    public void A_file_that_differs_in_length_from_what_was_observed_is_left_untouched()
    {
        var streamed = Sample().Build(withOffsets: false);
        var path = Path.GetTempFileName();
        try
        {
            var scanner = new CustomArchiveScanner();
            scanner.Observe(streamed);
            File.WriteAllBytes(path, [.. streamed, 0]);
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);

            Assert.False(CustomArchiveOffsets.TryWrite(handle, scanner));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static HashSet<int> BlockBoundaries(TestArchive archive)
    {
        var complete = archive.Build(withOffsets: false);
        var scanner = new CustomArchiveScanner();
        var boundaries = new HashSet<int>();
        for (var i = 0; i < complete.Length; i++)
        {
            if (scanner.Understood)
                boundaries.Add(i);
            scanner.Observe(complete.AsSpan(i, 1));
        }

        return boundaries;
    }

    private static (bool Patched, byte[] Bytes) Spool(byte[] archive, int piece = 1 << 20)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lifeboat-offsets-{Guid.NewGuid():N}.dump");
        try
        {
            bool patched;
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                var scanner = new CustomArchiveScanner();
                using var scanning = new ScanningStream(file, scanner);
                for (var at = 0; at < archive.Length; at += piece)
                    scanning.Write(archive, at, Math.Min(piece, archive.Length - at));
                file.Flush();
                patched = CustomArchiveOffsets.TryWrite(file.SafeFileHandle, scanner);
            }

            return (patched, File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
