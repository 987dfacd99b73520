namespace Lifeboat.Postgres;

/// <summary>
/// The configuration files a server needs in its data directory, written when a backup holds none: a Debian-packaged
/// cluster keeps them in /etc/postgresql/&lt;major&gt;/&lt;cluster&gt;/, which a base backup does not copy, and
/// PostgreSQL does not start without postgresql.conf.
/// </summary>
internal static class ServerConfigFiles
{
    private const string Origin =
        "# Written by Lifeboat: the base backup held no {0}, because its cluster kept its configuration outside the data\n" +
        "# directory (as Debian's packages do, in /etc/postgresql/<major>/<cluster>/). Replace it with your own if you need it.\n";

    /// <summary>Writes each file <paramref name="dataDirectory"/> lacks, owner-only; returns the names written.</summary>
    /// <param name="dataDirectory">The restored data directory.</param>
    /// <param name="serverUser">The OS user the server runs as, the only one the written pg_hba.conf lets in.</param>
    /// <param name="cancellationToken">Cancels the writing.</param>
    public static async Task<IReadOnlyList<string>> WriteMissingAsync(string dataDirectory, string serverUser, CancellationToken cancellationToken)
    {
        var written = new List<string>();
        foreach (var (name, content) in Contents(serverUser))
        {
            var path = Path.Combine(dataDirectory, name);
            if (File.Exists(path))
                continue;
            await using (var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            await using (var writer = new StreamWriter(file))
            {
                await writer.WriteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Origin, name).AsMemory(), cancellationToken);
                await writer.WriteAsync(content.AsMemory(), cancellationToken);
            }

            written.Add(name);
        }

        return written;
    }

    private static IEnumerable<(string Name, string Content)> Contents(string serverUser)
    {
        // Nothing else is needed: PostgreSQL's defaults, and the settings of postgresql.auto.conf, which the backup holds.
        yield return ("postgresql.conf", "# PostgreSQL's defaults apply, with the settings in postgresql.auto.conf.\n");
        yield return ("pg_hba.conf",
            "# Only connections over the local socket, by the OS user the server runs as, under the database user of the same name.\n" +
            "# TYPE  DATABASE  USER  METHOD\n" +
            $"local   all       \"{serverUser.Replace("\"", "\"\"", StringComparison.Ordinal)}\"  peer\n");
        // Without it the server logs that it could not load it; with no map, peer needs none.
        yield return ("pg_ident.conf", "# No user name maps.\n");
    }
}
