using System.Collections.Concurrent;
using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;
using Lifeboat.TestKit.Storage;

namespace Lifeboat.Tests.Repository;

/// <summary>How a restore finds its backup: by listing keys, reading only the manifests it needs.</summary>
public sealed class BackupLookupTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-lookup-").FullName;
    private ReadCountingStore _store = null!;
    private BackupRepository _repository = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        _store = new ReadCountingStore(new FileObjectStore(Path.Combine(_dir, "repo")));
        _repository = await BackupRepository.InitAsync(_store, KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Latest_reads_only_the_newest_manifest_of_that_source()
    {
        var app = await CommitAsync("app", 12);
        await CommitAsync("other", 5, dayOffset: 20);
        _store.ManifestReads.Clear();

        var found = await _repository.FindBackupAsync("postgres", "app", "latest", Ct);

        Assert.Equal(app[^1].Id, found.Id);
        Assert.Equal([BackupRepository.ManifestKey(app[^1])], _store.ManifestReads);
    }

    [Fact]
    public async Task A_backup_asked_for_by_id_is_the_only_manifest_read()
    {
        var app = await CommitAsync("app", 12);
        _store.ManifestReads.Clear();

        var found = await _repository.FindBackupAsync("postgres", "app", app[3].Id, Ct);

        Assert.Equal(app[3].Id, found.Id);
        Assert.Equal([BackupRepository.ManifestKey(app[3])], _store.ManifestReads);
    }

    [Fact]
    public async Task A_damaged_newest_manifest_is_refused_as_latest_and_the_hint_names_the_newest_readable_one()
    {
        var app = await CommitAsync("app", 4);
        Damage(app[3]);
        Damage(app[2]);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => _repository.FindBackupAsync("postgres", "app", "latest", Ct));

        Assert.StartsWith($"the newest backup {app[3].Id} is damaged (object '{BackupRepository.ManifestKey(app[3])}' is corrupt", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"refusing to take the older {app[1].Id} as 'latest'", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Remedy(RemedyAction.ChooseBackup, app[1].Id), error.Remedy);
    }

    [Fact]
    public async Task A_store_that_fails_reading_the_newest_manifest_is_not_taken_for_damage()
    {
        var app = await CommitAsync("app", 3);
        _store.FailingKey = BackupRepository.ManifestKey(app[^1]);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => _repository.FindBackupAsync("postgres", "app", "latest", Ct));

        Assert.Equal("cannot reach the store", error.Message);
    }

    [Fact]
    public async Task A_listing_fails_on_a_store_error_instead_of_calling_that_manifest_invalid()
    {
        var app = await CommitAsync("app", 3);
        _store.FailingKey = BackupRepository.ManifestKey(app[1]);
        var invalid = new List<string>();

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => _repository.ListBackupsAsync((key, _) => invalid.Add(key), Ct));

        Assert.Equal("cannot reach the store", error.Message);
        Assert.Empty(invalid);
    }

    [Fact]
    public async Task An_unknown_id_and_a_source_without_backups_are_errors_naming_what_was_looked_for()
    {
        await CommitAsync("app", 2);

        var unknown = await Assert.ThrowsAnyAsync<LifeboatException>(() => _repository.FindBackupAsync("postgres", "app", "2026-01-01T000000Z-00000000", Ct));
        var none = await Assert.ThrowsAnyAsync<LifeboatException>(() => _repository.FindBackupAsync("postgres", "ap", "latest", Ct));

        Assert.Equal($"there is no postgres backup of 'app' with id '2026-01-01T000000Z-00000000' in {_store.Location}", unknown.Message);
        Assert.Equal($"there is no postgres backup of 'ap' in {_store.Location}", none.Message);
    }

    [Fact]
    public async Task Defect_4_an_unknown_id_asked_of_any_source_says_backup_not_any_backup()
    {
        await CommitAsync("app", 1);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => _repository.FindBackupAsync(null, null, "nope", Ct));

        Assert.Equal($"there is no backup with id 'nope' in {_store.Location}", error.Message);
    }

    [Fact]
    public async Task Listing_returns_every_readable_backup_in_id_order_and_reports_each_damaged_one()
    {
        var app = await CommitAsync("app", 15);
        var other = await CommitAsync("other", 6, dayOffset: 3);
        Damage(app[7]);
        var invalid = new List<string>();

        var listed = await _repository.ListBackupsAsync((key, _) => invalid.Add(key), Ct);

        var expected = app.Where((_, i) => i != 7).Concat(other).Select(m => m.Id).Order(StringComparer.Ordinal);
        Assert.Equal(expected, listed.Select(m => m.Id));
        Assert.Equal([BackupRepository.ManifestKey(app[7])], invalid);
    }

    [Fact]
    public async Task A_manifest_copied_from_another_repository_is_listed_as_damaged_and_the_others_still_are_listed()
    {
        var app = await CommitAsync("app", 2);
        var otherDir = Directory.CreateTempSubdirectory("lifeboat-lookup-other-").FullName;
        try
        {
            var otherKey = Path.Combine(otherDir, "other.key");
            KeyFile.Create(otherKey);
            await using var other = await BackupRepository.InitAsync(new FileObjectStore(Path.Combine(otherDir, "repo")), KeySecret.FromKeyFile(otherKey), EnvelopeTestKit.Small(compressed: true), Ct);
            var foreign = app[0] with { Id = BackupId.New(Start.AddDays(30)).Value };
            await other.CommitManifestAsync(foreign, Ct);
            var target = Path.Combine(_dir, "repo", BackupRepository.ManifestKey(foreign));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(otherDir, "repo", BackupRepository.ManifestKey(foreign)), target);
            var invalid = new List<string>();

            var listed = await _repository.ListBackupsAsync((key, _) => invalid.Add(key), Ct);

            Assert.Equal(app.Select(m => m.Id), listed.Select(m => m.Id));
            Assert.Equal([BackupRepository.ManifestKey(foreign)], invalid);
        }
        finally
        {
            Directory.Delete(otherDir, recursive: true);
        }
    }

    [Fact]
    public async Task Listing_one_source_reads_only_its_manifests()
    {
        await CommitAsync("app", 4);
        var other = await CommitAsync("other", 3, dayOffset: 10);
        _store.ManifestReads.Clear();

        var listed = await _repository.ListBackupsAsync("postgres", "other", null, Ct);

        Assert.Equal(other.Select(m => m.Id), listed.Select(m => m.Id));
        Assert.Equal(other.Select(BackupRepository.ManifestKey).Order(StringComparer.Ordinal), _store.ManifestReads.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Defect_1_latest_is_the_later_of_two_backups_started_within_one_second()
    {
        // Before the fix ids had one-second resolution and a random suffix, so the later backup lost half the time.
        for (var round = 0; round < 20; round++)
        {
            var second = Start.AddHours(round);
            var earlier = await CommitAtAsync("app", BackupId.New(second.AddMilliseconds(100)), second.AddMilliseconds(100));
            var later = await CommitAtAsync("app", BackupId.New(second.AddMilliseconds(900)), second.AddMilliseconds(900));

            var found = await _repository.FindBackupAsync("postgres", "app", "latest", Ct);
            var listed = await _repository.ListBackupsAsync("postgres", "app", null, Ct);

            Assert.Equal(later.Id, found.Id);
            Assert.Equal(later.Id, listed[^1].Id);
            Assert.Equal(earlier.Id, listed[^2].Id);
        }
    }

    [Fact]
    public async Task Latest_among_ids_written_to_the_second_is_chosen_by_their_recorded_start_times()
    {
        var second = Start.AddDays(3);
        // Ids as Lifeboat wrote them before sub-second ids: the suffixes order the two against their start times.
        var later = await CommitAtAsync("app", new BackupId("2026-11-04T020000Z-00000000"), second.AddMilliseconds(800));
        var earlier = await CommitAtAsync("app", new BackupId("2026-11-04T020000Z-ffffffff"), second.AddMilliseconds(200));

        var found = await _repository.FindBackupAsync("postgres", "app", "latest", Ct);
        var listed = await _repository.ListBackupsAsync("postgres", "app", null, Ct);

        Assert.Equal(later.Id, found.Id);
        Assert.Equal([earlier.Id, later.Id], listed.Select(m => m.Id));
    }

    [Fact]
    public async Task A_backup_is_found_by_a_unique_prefix_of_its_id_or_of_its_random_suffix()
    {
        var app = await CommitAsync("app", 3);
        _store.ManifestReads.Clear();

        var byTime = await _repository.FindBackupAsync("postgres", "app", app[1].Id[..10], Ct);
        var bySuffix = await _repository.FindBackupAsync("postgres", "app", new BackupId(app[2].Id).Suffix[..5], Ct);

        Assert.Equal(app[1].Id, byTime.Id);
        Assert.Equal(app[2].Id, bySuffix.Id);
        Assert.Equal([BackupRepository.ManifestKey(app[1]), BackupRepository.ManifestKey(app[2])], _store.ManifestReads);
    }

    [Fact]
    public async Task An_ambiguous_prefix_is_a_usage_error_that_lists_the_candidates()
    {
        var app = await CommitAsync("app", 3);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => _repository.FindBackupAsync("postgres", "app", "2026-11-0", Ct));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal($"'2026-11-0' could be any of 3 postgres backups of 'app': {string.Join(", ", app.Select(m => m.Id))}", error.Message);
    }

    [Fact]
    public async Task A_layout_2_repository_is_read_as_it_is_and_marked_layout_3_by_its_first_backup_with_a_sub_second_id()
    {
        var configPath = Path.Combine(_dir, "repo", RepositoryLayout.ConfigKey);
        var old = await CommitAtAsync("app", new BackupId("2026-11-04T020000Z-00000001"), Start);
        await File.WriteAllTextAsync(configPath, (await File.ReadAllTextAsync(configPath, Ct)).Replace("\"version\": 3", "\"version\": 2", StringComparison.Ordinal), Ct);
        var keyFile = Path.Combine(_dir, "repo.key");

        await using (var reading = await BackupRepository.OpenAsync(new FileObjectStore(Path.Combine(_dir, "repo")), () => KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true), Ct))
        {
            Assert.Equal(old.Id, (await reading.FindBackupAsync("postgres", "app", "latest", Ct)).Id);
            Assert.Equal(2, reading.Config.Version);
        }

        Assert.Contains("\"version\": 2", await File.ReadAllTextAsync(configPath, Ct), StringComparison.Ordinal);
        await using var writing = await BackupRepository.OpenAsync(new FileObjectStore(Path.Combine(_dir, "repo")), () => KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true), Ct);
        await writing.CommitManifestAsync(old with { Id = BackupId.New(Start.AddDays(1)).Value, StartedAt = Start.AddDays(1) }, Ct);

        Assert.Contains("\"version\": 3", await File.ReadAllTextAsync(configPath, Ct), StringComparison.Ordinal);
        Assert.Equal(3, writing.Config.Version);
    }

    [Fact]
    public async Task Text_that_starts_one_id_and_another_ids_random_suffix_is_ambiguous_not_the_first()
    {
        var byTime = await CommitAtAsync("app", new BackupId("2025-10-04T020000.000000Z-11111111"), Start.AddYears(-1));
        var bySuffix = await CommitAtAsync("app", new BackupId("2026-01-04T020000.000000Z-2025beef"), Start.AddDays(60));

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => _repository.FindBackupAsync("postgres", "app", "2025", Ct));

        Assert.Equal(FailureKind.Usage, error.Kind);
        Assert.Equal($"'2025' could be any of 2 postgres backups of 'app': {byTime.Id}, {bySuffix.Id}", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task An_empty_id_names_no_backup_even_when_there_is_only_one(string text)
    {
        await CommitAsync("app", 1);

        var error = await Assert.ThrowsAnyAsync<LifeboatException>(() => _repository.FindBackupAsync("postgres", "app", text, Ct));

        Assert.Equal((FailureKind.Usage, "an empty backup id names no backup"), (error.Kind, error.Message));
    }

    private async Task<BackupManifest> CommitAtAsync(string name, BackupId id, DateTimeOffset started)
    {
        var manifest = new BackupManifest
        {
            Id = id.Value,
            Source = "postgres",
            Name = name,
            Kind = "dump",
            StartedAt = started,
            FinishedAt = started.AddMinutes(3),
            Objects = [],
        };
        await _repository.CommitManifestAsync(manifest, Ct);
        return manifest;
    }

    private async Task<List<BackupManifest>> CommitAsync(string name, int count, int dayOffset = 0)
    {
        var manifests = new List<BackupManifest>();
        for (var i = 0; i < count; i++)
        {
            var started = Start.AddDays(dayOffset + i);
            var manifest = new BackupManifest
            {
                Id = BackupId.New(started).Value,
                Source = "postgres",
                Name = name,
                Kind = "dump",
                StartedAt = started,
                FinishedAt = started.AddMinutes(3),
                Objects = [],
            };
            await _repository.CommitManifestAsync(manifest, Ct);
            manifests.Add(manifest);
        }

        return manifests;
    }

    private void Damage(BackupManifest manifest)
    {
        var path = Path.Combine(_dir, "repo", BackupRepository.ManifestKey(manifest));
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>The real file store, noting which manifests are opened, and failing to read one on demand.</summary>
    private sealed class ReadCountingStore(IObjectStore inner) : InterceptedStore(inner)
    {
        public ConcurrentQueue<string> ManifestReads { get; } = new();

        public string? FailingKey { get; set; }

        public override Task<Stream> OpenReadAsync(string key, ByteRange? range, CancellationToken cancellationToken)
        {
            if (RepositoryLayout.ManifestIdOf(key) is not null)
                ManifestReads.Enqueue(key);
            if (key == FailingKey)
                throw new LifeboatException("cannot reach the store");
            return base.OpenReadAsync(key, range, cancellationToken);
        }
    }
}
