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
}
