using System.Security.Cryptography;
using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Repository;

/// <summary>Envelopes sealed into a caller's stream and read back by their byte range in an object.</summary>
public sealed class EmbeddedEnvelopeTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-embedded-").FullName;
    private BackupRepository _repository = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        _repository = await BackupRepository.InitAsync(new FileObjectStore(Path.Combine(_dir, "repo")), KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Two_envelopes_sealed_into_one_object_each_read_back_by_their_range()
    {
        byte[] first = EnvelopeTestKit.TextLike(700, seed: 1), second = RandomNumberGenerator.GetBytes(300);
        var (object1, range1, range2) = await WriteTwoAsync(first, second);

        Assert.Equal(first, await ReadAsync(object1, range1, first));
        Assert.Equal(second, await ReadAsync(object1, range2, second));
    }

    [Fact]
    public async Task An_envelope_read_with_another_sha256_fails_at_its_end_naming_the_object_and_range()
    {
        byte[] first = EnvelopeTestKit.TextLike(700, seed: 1), second = EnvelopeTestKit.TextLike(500, seed: 2);
        var (key, range1, _) = await WriteTwoAsync(first, second);

        await using var stream = await _repository.OpenEnvelopeAsync(key, range1, first.Length, Sha(second), Ct);
        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => stream.CopyToAsync(Stream.Null, Ct));

        Assert.Contains($"{key} at bytes {range1.Offset}+{range1.Length}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_range_cut_short_is_damage_not_a_shorter_content()
    {
        var first = EnvelopeTestKit.TextLike(700, seed: 1);
        var (key, range1, _) = await WriteTwoAsync(first, [1, 2, 3]);

        await using var stream = await _repository.OpenEnvelopeAsync(key, range1 with { Length = range1.Length - 20 }, first.Length, Sha(first), Ct);

        await Assert.ThrowsAsync<EnvelopeCorruptException>(() => stream.CopyToAsync(Stream.Null, Ct));
    }

    [Fact]
    public async Task A_range_without_a_length_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _repository.OpenEnvelopeAsync("data/x", new ByteRange(0), 1, Sha([1]), Ct));
    }

    private async Task<(string Key, ByteRange First, ByteRange Second)> WriteTwoAsync(byte[] first, byte[] second)
    {
        const string Key = "data/two";
        await using var upload = await _repository.Store.CreateAsync(Key, Ct);
        var length1 = await SealAsync(upload, first);
        var length2 = await SealAsync(upload, second);
        await upload.CompleteAsync(Ct);
        return (Key, new ByteRange(0, length1), new ByteRange(length1, length2));
    }

    private async Task<long> SealAsync(Stream destination, byte[] content)
    {
        await using var writer = _repository.CreateEnvelope(destination, EnvelopeTestKit.Small(compressed: true));
        await writer.WriteAsync(content, Ct);
        await writer.FinishAsync(Ct);
        return writer.StoredBytes;
    }

    private async Task<byte[]> ReadAsync(string key, ByteRange range, byte[] expected)
    {
        await using var stream = await _repository.OpenEnvelopeAsync(key, range, expected.Length, Sha(expected), Ct);
        using var read = new MemoryStream();
        await stream.CopyToAsync(read, Ct);
        return read.ToArray();
    }

    private static string Sha(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
