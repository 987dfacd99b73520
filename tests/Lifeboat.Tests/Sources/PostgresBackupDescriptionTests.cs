using System.Text.Json;
using Lifeboat.Cli.Output;
using Lifeboat.Cli.Sources;
using Lifeboat.Repository;

namespace Lifeboat.Tests.Sources;

/// <summary>What 'show' says about a PostgreSQL backup, read through the source seam.</summary>
public sealed class PostgresBackupDescriptionTests
{
    private const string Details = """
        {"database":"app","serverVersion":"16.4","pgDumpVersion":"pg_dump (PostgreSQL) 16.4","postgisVersion":"3.4.2",
         "encoding":"UTF8","collate":"en_US.UTF-8","cType":"en_US.UTF-8","snapshot":"00000003-0000001B-1",
         "extensions":[{"name":"postgis","version":"3.4.2","schema":"public"},{"name":"plpgsql","version":"1.0","schema":"pg_catalog"}],
         "tables":[{"schema":"public","table":"orders","rows":1200,"bytes":90112},{"schema":"audit","table":"log","rows":3,"bytes":8192}],
         "largeObjects":2}
        """;

    private static SourceKind Postgres => SourceKinds.Find("postgres");

    [Fact]
    public void A_dump_is_described_by_its_versions_settings_extensions_and_each_tables_rows()
    {
        var sections = Postgres.DescribeDetails(Manifest("dump", Details));

        Assert.NotNull(sections);
        var facts = sections[0];
        Assert.True(facts.IsFacts);
        Assert.Contains(facts.Rows, r => r[0] == "server version" && r[1] == "16.4");
        Assert.Contains(facts.Rows, r => r[0] == "pg_dump" && r[1] == "pg_dump (PostgreSQL) 16.4");
        Assert.Contains(facts.Rows, r => r[0] == "postgis" && r[1] == "3.4.2");
        Assert.Contains(facts.Rows, r => r[0] == "collate" && r[1] == "en_US.UTF-8");
        Assert.Contains(facts.Rows, r => r[0] == "large objects" && r[1] == "2");
        Assert.Equal("extensions (2)", sections[1].Title);
        Assert.Equal(["plpgsql", "postgis"], sections[1].Rows.Select(r => r[0]));
        Assert.Equal("tables (2, 1203 rows)", sections[2].Title);
        Assert.Equal([["audit.log", "3", "8.0 KiB"], ["public.orders", "1200", "88.0 KiB"]], sections[2].Rows.Select(r => r.ToArray()));
    }

    [Fact]
    public void An_older_dump_without_table_sizes_or_snapshot_gets_no_size_column_and_says_what_was_not_recorded()
    {
        var details = """{"database":"app","serverVersion":"15","pgDumpVersion":"15","extensions":[],"tables":[{"schema":"public","table":"t","rows":5}]}""";

        var sections = Postgres.DescribeDetails(Manifest("dump", details))!;
        var tables = sections[2];

        Assert.Contains(sections[0].Rows, r => r[0] == "snapshot" && r[1] == "not recorded");
        Assert.Equal(["TABLE", "ROWS"], tables.Columns.Select(c => c.Header));
        Assert.Equal([["public.t", "5"]], tables.Rows.Select(r => r.ToArray()));
    }

    [Fact]
    public void A_kind_of_postgres_backup_this_build_does_not_know_is_left_undescribed()
    {
        Assert.Null(Postgres.DescribeDetails(Manifest("base", """{"timeline":1}""")));
    }

    [Fact]
    public void Damaged_details_are_reported_as_damage_naming_the_backup()
    {
        var error = Assert.Throws<DamagedRecordException>(() => Postgres.DescribeDetails(Manifest("dump", """{"database":"app"}""")));

        Assert.StartsWith("the postgres details in the manifest of backup 2026-02-15T020000Z-1a2b3c4d are not valid", error.Message, StringComparison.Ordinal);
    }

    private static BackupManifest Manifest(string kind, string details) => new()
    {
        Id = "2026-02-15T020000Z-1a2b3c4d",
        Source = "postgres",
        Name = "app",
        Kind = kind,
        StartedAt = DateTimeOffset.UnixEpoch,
        FinishedAt = DateTimeOffset.UnixEpoch,
        Objects = [],
        Details = JsonDocument.Parse(details).RootElement.Clone(),
    };
}
