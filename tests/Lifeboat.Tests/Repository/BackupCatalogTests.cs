using Lifeboat.Format;
using Lifeboat.Repository;
using Lifeboat.Storage;
using Lifeboat.Tests.Format;
using Lifeboat.TestKit.Storage;

namespace Lifeboat.Tests.Repository;

/// <summary>Finding backups is apart from storing them: lookups never walk data objects, and check looks at a shared object once.</summary>
public sealed class BackupCatalogTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 2, 0, 0, TimeSpan.Zero);
    // In memory where there is a /dev/shm: 100,000 files take a second there, and ten times that on a loaded disk.
    private readonly string _dir = Directory.Exists("/dev/shm")
        ? Directory.CreateDirectory(Path.Combine("/dev/shm", $"lifeboat-catalog-{Guid.NewGuid():N}")).FullName
        : Directory.CreateTempSubdirectory("lifeboat-catalog-").FullName;
    private FaultyObjectStore _store = null!;
    private BackupRepository _repository = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string RepositoryPath => Path.Combine(_dir, "repo");

    public async ValueTask InitializeAsync()
    {
        var keyFile = Path.Combine(_dir, "repo.key");
        KeyFile.Create(keyFile);
        _store = new FaultyObjectStore(new FileObjectStore(RepositoryPath));
        _repository = await BackupRepository.InitAsync(_store, KeySecret.FromKeyFile(keyFile), EnvelopeTestKit.Small(compressed: true), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _repository.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task List_and_restore_latest_make_the_same_store_calls_with_100000_data_objects_as_with_none()
    {
        await CommitAsync("postgres", "app", 3, objects: []);
        await CommitAsync("buckets", "uploads", 2, objects: []);
        var empty = await LookupCallsAsync();

        // WAL segments and bucket content are what a repository holds most of; they lie beside the backups' own data.
        WriteDataObjects("postgres/app/wal/00000001", 50_000);
        WriteDataObjects("buckets/uploads/content", 50_000);
        var full = await LookupCallsAsync();

        Assert.Equal(empty, full);
        // list: 5 manifests; latest of postgres/app: its 3; latest of buckets: its 2.
        Assert.Equal(10, empty.ObjectsListed);
    }

    [Fact]
    public async Task Check_looks_at_an_object_shared_by_many_backups_once_and_names_every_backup_that_needs_it()
    {
        var shared = await StoreObjectAsync("buckets/uploads/content/ab/shared");
        var own = await StoreObjectAsync("buckets/uploads/content/cd/own");
        var backups = await CommitAsync("buckets", "uploads", 4, objects: [shared]);
        backups.Add(await CommitOneAsync("buckets", "uploads", 10, [shared, own]));
        _store.ResetCalls();

        var report = await new RepositoryCheck(_repository, SilentReporter.Instance).RunAsync(0, Ct);

        Assert.Equal(2, report.ObjectsChecked);
        Assert.Equal(2, _store.Calls.Stat);
        Assert.Empty(report.Problems);

        File.Delete(Path.Combine(RepositoryPath, shared.Key));
        var damaged = await new RepositoryCheck(_repository, SilentReporter.Instance).RunAsync(0, Ct);

        var problem = Assert.Single(damaged.Problems);
        Assert.Equal($"{shared.Key}: missing (needed by backups {string.Join(", ", backups.Select(b => b.Id))})", problem);
    }

    [Fact]
    public async Task Defect_3_check_counts_a_missing_object_as_missing_not_as_present()
    {
        var kept = await StoreObjectAsync("postgres/app/dumps/a/dump");
        var lost = await StoreObjectAsync("postgres/app/dumps/b/dump");
        await CommitOneAsync("postgres", "app", 0, [kept]);
        await CommitOneAsync("postgres", "app", 1, [lost]);
        File.Delete(Path.Combine(RepositoryPath, lost.Key));

        var report = await new RepositoryCheck(_repository, SilentReporter.Instance).RunAsync(100, Ct);

        Assert.Equal((2, 1, 1), (report.ObjectsChecked, report.ObjectsPresent, report.ObjectsRead));
        Assert.Single(report.Problems);
    }

    [Fact]
    public async Task Check_reports_backups_that_record_different_contents_for_one_object()
    {
        var stored = await StoreObjectAsync("buckets/uploads/content/ab/object");
        var first = await CommitOneAsync("buckets", "uploads", 0, [stored]);
        var second = await CommitOneAsync("buckets", "uploads", 1, [stored with { Sha256 = new string('0', 64) }]);

        var report = await new RepositoryCheck(_repository, SilentReporter.Instance).RunAsync(0, Ct);

        var problem = Assert.Single(report.Problems);
        Assert.StartsWith($"{stored.Key}: backup {second.Id} records other contents for it than backup {first.Id}", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("locks", "app")]
    [InlineData("manifests", "app")]
    [InlineData("Postgres", "app")]
    [InlineData("postgres", "a/b")]
    public async Task A_manifest_that_could_not_be_found_again_is_refused_before_anything_is_written(string source, string name)
    {
        var manifest = new BackupManifest
        {
            Id = BackupId.New(Start).Value,
            Source = source,
            Name = name,
            Kind = "dump",
            StartedAt = Start,
            FinishedAt = Start,
            Objects = [],
        };

        await Assert.ThrowsAnyAsync<Exception>(() => _repository.CommitManifestAsync(manifest, Ct));

        Assert.False(Directory.Exists(Path.Combine(RepositoryPath, "manifests")));
    }

    [Fact]
    public async Task No_data_object_may_take_the_place_where_layout_1_kept_manifests()
    {
        var id = BackupId.New(Start).Value;

        await Assert.ThrowsAsync<ArgumentException>(() => _repository.CreateObjectAsync($"buckets/uploads/snapshots/{id}/manifest", "index", Ct));

        await using var allowed = await _repository.CreateObjectAsync($"buckets/uploads/snapshots/{id}/index", "index", Ct);
    }

    [Fact]
    public async Task Check_reports_a_manifest_whose_details_its_source_cannot_read()
    {
        var manifest = await CommitOneAsync("postgres", "app", 0, []);

        var report = await new RepositoryCheck(_repository, SilentReporter.Instance, m => m.Id == manifest.Id ? "no tables recorded" : null).RunAsync(0, Ct);

        Assert.Equal([$"manifests/postgres/app/dump/{manifest.Id}: no tables recorded"], report.Problems);
    }

    [Fact]
    public async Task Manifests_live_under_their_own_prefix_apart_from_the_backups_data()
    {
        var stored = await StoreObjectAsync("postgres/app/dumps/x/dump");
        var manifest = await CommitOneAsync("postgres", "app", 0, [stored]);

        var keys = new List<string>();
        await foreach (var info in _store.ListAsync("", Ct))
            keys.Add(info.Key);

        Assert.Contains($"manifests/postgres/app/dump/{manifest.Id}", keys);
        Assert.DoesNotContain(keys, k => k.StartsWith("postgres/", StringComparison.Ordinal) && k.EndsWith("manifest", StringComparison.Ordinal));
    }

    private async Task<StoreCallCounts> LookupCallsAsync()
    {
        _store.ResetCalls();
        await _repository.ListBackupsAsync(null, Ct);
        await _repository.FindBackupAsync("postgres", "app", "latest", Ct);
        await _repository.FindBackupAsync("buckets", null, "latest", Ct);
        return _store.Calls;
    }

    private void WriteDataObjects(string folder, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var directory = Path.Combine(RepositoryPath, folder, (i % 256).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            if (i < 256)
                Directory.CreateDirectory(directory);
            File.Create(Path.Combine(directory, $"{i:x8}")).Dispose();
        }
    }

    private async Task<StoredObject> StoreObjectAsync(string key)
    {
        await using var writer = await _repository.CreateObjectAsync(key, "test", Ct);
        await writer.Stream.WriteAsync(EnvelopeTestKit.RandomBytes(300, key.Length), Ct);
        return await writer.CompleteAsync(Ct);
    }

    private async Task<List<BackupManifest>> CommitAsync(string source, string name, int count, IReadOnlyList<StoredObject> objects)
    {
        var manifests = new List<BackupManifest>();
        for (var i = 0; i < count; i++)
            manifests.Add(await CommitOneAsync(source, name, i, objects));
        return manifests;
    }

    private async Task<BackupManifest> CommitOneAsync(string source, string name, int day, IReadOnlyList<StoredObject> objects)
    {
        var started = Start.AddDays(day);
        var manifest = new BackupManifest
        {
            Id = BackupId.New(started).Value,
            Source = source,
            Name = name,
            Kind = "snapshot",
            StartedAt = started,
            FinishedAt = started.AddMinutes(1),
            Objects = objects,
        };
        if (source == "postgres")
            manifest = manifest with { Kind = "dump" };
        await _repository.CommitManifestAsync(manifest, Ct);
        return manifest;
    }
}
