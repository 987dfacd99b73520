using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Repository;

public sealed class VerifiedObjectStreamTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-verified-").FullName;
    private readonly byte[] _plaintext = EnvelopeTestKit.TextLike(1000, seed: 7);
    private BackupRepository _repository = null!;
    private StoredObject _stored = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        var store = new FileObjectStore(Path.Combine(_dir, "repo"));
        _repository = await BackupRepository.InitAsync(store, KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true), Ct);
        await using var writer = await _repository.CreateObjectAsync("data/object", "dump", Ct);
        await writer.Stream.WriteAsync(_plaintext, Ct);
        _stored = await writer.CompleteAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public async Task A_zero_length_read_does_not_end_the_object_early(int before)
    {
        await using var stream = await _repository.OpenObjectAsync(_stored, Ct);
        var received = new byte[_plaintext.Length];
        await stream.ReadExactlyAsync(received.AsMemory(0, before), Ct);

        Assert.Equal(0, stream.Read(Span<byte>.Empty));
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty, Ct));

        await stream.ReadExactlyAsync(received.AsMemory(before), Ct);
        Assert.Equal(0, await stream.ReadAsync(new byte[1], Ct));
        Assert.Equal(_plaintext, received);
    }

    [Fact]
    public async Task A_large_object_read_ahead_round_trips_and_still_checks_the_manifest()
    {
        var (plaintext, stored) = await WriteLargeAsync("data/large");

        await using (var stream = await _repository.OpenObjectAsync(stored, Ct))
        {
            var received = new MemoryStream();
            await stream.CopyToAsync(received, Ct);
            Assert.Equal(plaintext, received.ToArray());
        }

        // Another authentic object under this one's manifest entry: caught at the end, as without read-ahead.
        await using var swapped = await _repository.OpenObjectAsync(stored with { Sha256 = _stored.Sha256 }, Ct);
        var error = await Assert.ThrowsAsync<LifeboatException>(() => swapped.CopyToAsync(Stream.Null, Ct));
        Assert.StartsWith("object 'data/large' does not match its manifest", error.Message);
    }

    [Fact]
    public async Task A_damaged_chunk_in_a_large_object_read_ahead_is_reported_with_the_object_and_chunk()
    {
        var (_, stored) = await WriteLargeAsync("data/damaged");
        var path = Path.Combine(_dir, "repo", "data", "damaged");
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        await using var stream = await _repository.OpenObjectAsync(stored, Ct);
        var error = await Assert.ThrowsAsync<EnvelopeCorruptException>(() => stream.CopyToAsync(Stream.Null, Ct));

        Assert.Contains("object 'data/damaged' is corrupt: chunk", error.Message);
    }

    // Past the 8 MiB from which the repository reads ahead.
    private async Task<(byte[] Plaintext, StoredObject Stored)> WriteLargeAsync(string key)
    {
        var plaintext = EnvelopeTestKit.TextLike(9 << 20, seed: 11);
        await using var writer = await _repository.CreateObjectAsync(key, "dump", Ct);
        await writer.Stream.WriteAsync(plaintext, Ct);
        return (plaintext, await writer.CompleteAsync(Ct));
    }
}
