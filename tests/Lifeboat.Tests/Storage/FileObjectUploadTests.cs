using Lifeboat.Storage;

namespace Lifeboat.Tests.Storage;

/// <summary>What a file store's upload writes: every byte, whichever way it was written, past the write-behind steps.</summary>
public sealed class FileObjectUploadTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lifeboat-upload-").FullName;
    private readonly FileObjectStore _store;

    public FileObjectUploadTests() => _store = new FileObjectStore(_root);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_object_of_several_write_behind_steps_is_stored_whole_by_either_kind_of_write(bool async)
    {
        var content = new byte[(20 << 20) + 12345];
        new Random(7).NextBytes(content);

        await using (var upload = await _store.CreateAsync("big", Ct))
        {
            for (var offset = 0; offset < content.Length; offset += 1 << 20)
            {
                var piece = content.AsMemory(offset, Math.Min(1 << 20, content.Length - offset));
                if (async)
                    await upload.WriteAsync(piece, Ct);
                else
                    upload.Write(piece.Span);
            }

            await upload.CompleteAsync(Ct);
        }

        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Join(_root, "big"), Ct));
        Assert.Empty(Directory.GetFiles(Path.Join(_root, ".tmp")));
    }
}
