using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;

namespace Lifeboat.Tests.Repository;

public sealed class RepositoryKeySlotTests : IAsyncLifetime
{
    private static readonly Argon2Parameters Cheap = new(128, 2, 1);
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-slots-").FullName;
    private string _keyFile = null!;
    private FileObjectStore _store = null!;
    private BackupRepository _repository = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(_keyFile);
        _store = new FileObjectStore(Path.Combine(_dir, "repo"));
        _repository = await BackupRepository.InitAsync(_store, KeySecret.FromKeyFile(_keyFile), EnvelopeTestKit.Small(compressed: true), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_added_passphrase_opens_the_same_data_key_and_reads_what_the_key_file_wrote()
    {
        await using (var writer = await _repository.CreateObjectAsync("data/object", "dump", Ct))
        {
            await writer.Stream.WriteAsync("written under the key file"u8.ToArray(), Ct);
            _ = await writer.CompleteAsync(Ct);
        }

        var added = await _repository.AddKeySlotAsync(KeySecret.FromPassphrase("second secret", Cheap), null, Ct);
        await using var viaPassphrase = await OpenAsync(KeySecret.FromPassphrase("second secret", Cheap));

        Assert.Equal(added.Id, viaPassphrase.OpenedSlotId);
        Assert.Equal(_repository.Config.DataKeyId, added.KeyId);
        var stored = new StoredObject("data/object", "dump", 26, 0, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("written under the key file"u8)));
        await using var read = await viaPassphrase.OpenObjectAsync(stored with { StoredBytes = (await _store.StatAsync("data/object", Ct))!.Size }, Ct);
        using var text = new StreamReader(read);
        Assert.Equal("written under the key file", await text.ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task Adding_a_passphrase_under_12_characters_writes_nothing()
    {
        var error = await Assert.ThrowsAsync<LifeboatException>(() => _repository.AddKeySlotAsync(KeySecret.FromPassphrase("too short", Cheap), null, Ct));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "repo", "keys")));
    }

    [Fact]
    public async Task Init_with_a_passphrase_under_12_characters_creates_nothing()
    {
        var place = Path.Combine(_dir, "second");

        var error = await Assert.ThrowsAsync<LifeboatException>(() =>
            BackupRepository.InitAsync(new FileObjectStore(place), KeySecret.FromPassphrase("too short", Cheap), EnvelopeTestKit.Small(compressed: true), Ct));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.False(Directory.Exists(place));
    }

    [Fact]
    public async Task An_added_slot_keeps_its_label_when_listed()
    {
        var added = await _repository.AddKeySlotAsync(KeySecret.FromPassphrase("second secret", Cheap), "ops-2026", Ct);

        var slots = await _repository.ListKeySlotsAsync((_, e) => throw e, Ct);

        Assert.Equal("ops-2026", Assert.Single(slots, s => s.Id == added.Id).Label);
        Assert.Null(Assert.Single(slots, s => s.Id != added.Id).Label);
    }

    [Fact]
    public async Task A_damaged_slot_does_not_lock_out_the_others_and_is_named_when_nothing_opens()
    {
        // Named to be listed, and so read, before the good slot.
        await File.WriteAllTextAsync(Path.Combine(_dir, "repo", "keys", "0000000000000000"), "{ not json", Ct);

        await using var viaKeyFile = await OpenAsync(KeySecret.FromKeyFile(_keyFile));
        var error = await Assert.ThrowsAsync<LifeboatException>(() => OpenAsync(KeySecret.FromPassphrase("second secret", Cheap)));

        Assert.Equal(_repository.OpenedSlotId, viaKeyFile.OpenedSlotId);
        Assert.Equal($"the key does not open the repository at {_store.Location} (key slots keys/0000000000000000 are damaged and were skipped)", error.Message);
    }

    [Fact]
    public async Task Two_removals_each_by_the_key_the_other_removes_leave_a_slot_that_opens()
    {
        await _repository.AddKeySlotAsync(KeySecret.FromPassphrase("second secret", Cheap), null, Ct);
        await using var first = await OpenAsync(KeySecret.FromKeyFile(_keyFile));
        await using var second = await OpenAsync(KeySecret.FromPassphrase("second secret", Cheap));

        await first.RemoveKeySlotAsync(second.OpenedSlotId, Ct);
        var error = await Assert.ThrowsAsync<LifeboatException>(() => second.RemoveKeySlotAsync(first.OpenedSlotId, Ct));

        Assert.StartsWith($"key slot {second.OpenedSlotId}, which this configuration's key opened, is gone", error.Message, StringComparison.Ordinal);
        await using var stillOpens = await OpenAsync(KeySecret.FromKeyFile(_keyFile));
        Assert.Equal(first.OpenedSlotId, stillOpens.OpenedSlotId);
    }

    [Fact]
    public async Task A_removed_slot_opens_nothing_any_more_and_the_one_in_use_is_refused()
    {
        var added = await _repository.AddKeySlotAsync(KeySecret.FromPassphrase("second secret", Cheap), null, Ct);
        await using var viaPassphrase = await OpenAsync(KeySecret.FromPassphrase("second secret", Cheap));

        var inUse = await Assert.ThrowsAsync<LifeboatException>(() => viaPassphrase.RemoveKeySlotAsync(added.Id, Ct));
        await viaPassphrase.RemoveKeySlotAsync(_repository.OpenedSlotId, Ct);

        Assert.Equal(FailureKind.Usage, inUse.Kind);
        Assert.Equal([added.Id], (await viaPassphrase.ListKeySlotsAsync((_, _) => { }, Ct)).Select(s => s.Id));
        await Assert.ThrowsAsync<LifeboatException>(() => OpenAsync(KeySecret.FromKeyFile(_keyFile)));
    }

    private Task<BackupRepository> OpenAsync(KeySecret secret) =>
        BackupRepository.OpenAsync(new FileObjectStore(Path.Combine(_dir, "repo")), () => secret, EnvelopeTestKit.Small(compressed: true), Ct);
}
