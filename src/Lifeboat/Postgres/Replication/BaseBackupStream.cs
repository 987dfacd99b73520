using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Lifeboat.IO;
using Lifeboat.Postgres.Wal;

namespace Lifeboat.Postgres.Replication;

/// <summary>One tablespace of a base backup, as the server announced it before sending.</summary>
/// <param name="Oid">The tablespace's OID, or null for the main data directory.</param>
/// <param name="Location">Where it lives on the server, or null for the main data directory.</param>
/// <param name="EstimatedBytes">The server's estimate of its size.</param>
internal sealed record BaseBackupTablespace(uint? Oid, string? Location, long EstimatedBytes);

/// <summary>One archive of the stream: a tablespace's tar ("base.tar", "16384.tar") or the backup manifest.</summary>
/// <param name="Name">Its name as the server gives it; "backup_manifest" for the manifest.</param>
/// <param name="TablespaceLocation">The tablespace's directory on the server, or null for the main one and the manifest.</param>
/// <param name="Content">Its bytes, read straight off the connection; read it to its end before asking for the next archive.</param>
internal sealed record BaseBackupArchive(string Name, string? TablespaceLocation, Stream Content);

/// <summary>
/// The new (PostgreSQL 15) BASE_BACKUP stream over a replication connection: every tablespace and the manifest in
/// one COPY, read archive by archive, with backpressure all the way to the server: nothing is spooled.
/// </summary>
internal sealed class BaseBackupStream
{
    private readonly ReplicationConnection _connection;
    private (char Type, int Length, byte Kind)? _pending;
    private bool _copyDone;

    private BaseBackupStream(ReplicationConnection connection) => _connection = connection;

    /// <summary>Where the backup starts in the WAL (its checkpoint's redo point).</summary>
    public WalPosition Start { get; private set; }

    /// <summary>The timeline it starts on.</summary>
    public uint Timeline { get; private set; }

    /// <summary>The tablespaces the server is sending.</summary>
    public IReadOnlyList<BaseBackupTablespace> Tablespaces { get; private set; } = [];

    /// <summary>The server's count of bytes sent so far (PROGRESS).</summary>
    public long BytesDone { get; private set; }

    /// <summary>Where the backup ends in the WAL: known once every archive was read.</summary>
    public WalPosition? Stop { get; private set; }

    /// <summary>The timeline it ends on (another than <see cref="Timeline"/> when a standby was promoted meanwhile): known with <see cref="Stop"/>.</summary>
    public uint StopTimeline { get; private set; }

    /// <summary>Starts the backup (a fast checkpoint) and reads what the server says before the data.</summary>
    public static async Task<BaseBackupStream> StartAsync(ReplicationConnection connection, string label, CancellationToken cancellationToken)
    {
        var escaped = label.Replace("'", "''", StringComparison.Ordinal);
        // WAIT false: the server must not wait, without a limit, for the last segment to be archived; Lifeboat waits
        // for the archive itself, with a timeout and a useful error.
        await connection.SendQueryAsync($"BASE_BACKUP (LABEL '{escaped}', PROGRESS, CHECKPOINT 'fast', WAIT false, MANIFEST 'yes', TARGET 'client')", cancellationToken);
        var stream = new BaseBackupStream(connection);
        var start = await stream.ReadResultSetAsync(cancellationToken);
        (stream.Start, stream.Timeline) = stream.PositionOf(start, "start");
        var tablespaces = await stream.ReadResultSetAsync(cancellationToken);
        stream.Tablespaces = tablespaces.Select(row => new BaseBackupTablespace(
            row[0] is null ? null : uint.Parse(row[0]!, CultureInfo.InvariantCulture),
            row[1],
            row.Count > 2 && row[2] is { } kib ? long.Parse(kib, CultureInfo.InvariantCulture) * 1024 : 0)).ToList();
        var (type, length) = await connection.ReadHeaderAsync(cancellationToken);
        if (type == 'E')
            throw connection.ServerError(await connection.ReadBodyAsync(length, cancellationToken));
        if (type != 'H')
            throw connection.Broken($"message '{type}' where the backup's data should begin");
        await connection.ReadBodyAsync(length, cancellationToken);
        return stream;
    }

    /// <summary>The next archive, or null once the stream ended (then <see cref="Stop"/> is known).</summary>
    public async Task<BaseBackupArchive?> NextArchiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_copyDone)
                return null;
            var (type, length, kind) = _pending ?? await ReadCopyHeaderAsync(cancellationToken);
            _pending = null;
            if (type == 'c')
            {
                await FinishAsync(cancellationToken);
                return null;
            }

            var rest = await _connection.ReadBodyAsync(length - 1, cancellationToken);
            switch ((char)kind)
            {
                case 'n':
                    var name = CString(rest, 0, out var next);
                    var location = CString(rest, next, out _);
                    return new BaseBackupArchive(name, location.Length == 0 ? null : location, new ArchiveContent(this));
                case 'm':
                    return new BaseBackupArchive("backup_manifest", null, new ArchiveContent(this));
                case 'p':
                    BytesDone = BinaryPrimitives.ReadInt64BigEndian(rest);
                    continue;
                default:
                    throw _connection.Broken($"data of kind '{(char)kind}' outside an archive");
            }
        }
    }

    // The message type and length of the next message in the COPY, with the first byte of a CopyData (its kind).
    private async Task<(char Type, int Length, byte Kind)> ReadCopyHeaderAsync(CancellationToken cancellationToken)
    {
        var (type, length) = await _connection.ReadHeaderAsync(cancellationToken);
        // Notices (e.g. "skipping special file"), parameter changes and notifications may come at any time.
        while (type is 'N' or 'S' or 'A')
        {
            await _connection.ReadBodyAsync(length, cancellationToken);
            (type, length) = await _connection.ReadHeaderAsync(cancellationToken);
        }

        switch (type)
        {
            case 'd' when length >= 1:
                var kind = await _connection.ReadBodyAsync(1, cancellationToken);
                return (type, length, kind[0]);
            case 'c':
                return (type, length, 0);
            case 'E':
                throw _connection.ServerError(await _connection.ReadBodyAsync(length, cancellationToken));
            default:
                throw _connection.Broken($"message '{type}' in the middle of the backup's data");
        }
    }

    private async Task FinishAsync(CancellationToken cancellationToken)
    {
        _copyDone = true;
        var end = await ReadResultSetAsync(cancellationToken);
        var (stop, stopTimeline) = PositionOf(end, "end");
        (Stop, StopTimeline) = (stop, stopTimeline);
        while (true)
        {
            var (type, length) = await _connection.ReadHeaderAsync(cancellationToken);
            var body = await _connection.ReadBodyAsync(length, cancellationToken);
            if (type == 'E')
                throw _connection.ServerError(body);
            if (type == 'Z')
                return;
        }
    }

    /// <summary>IDENTIFY_SYSTEM: the cluster's system identifier and current timeline, to check the archive belongs to it.</summary>
    public static async Task<(ulong SystemId, uint Timeline)> IdentifySystemAsync(ReplicationConnection connection, CancellationToken cancellationToken)
    {
        await connection.SendQueryAsync("IDENTIFY_SYSTEM", cancellationToken);
        var rows = await ReadResultSetAsync(connection, cancellationToken);
        while (true)
        {
            var (type, length) = await connection.ReadHeaderAsync(cancellationToken);
            await connection.ReadBodyAsync(length, cancellationToken);
            if (type == 'Z')
                break;
        }

        if (rows.Count != 1 || !ulong.TryParse(rows[0][0], CultureInfo.InvariantCulture, out var systemId) || !uint.TryParse(rows[0][1], CultureInfo.InvariantCulture, out var timeline))
            throw connection.Broken("IDENTIFY_SYSTEM did not answer one row of system identifier and timeline");
        return (systemId, timeline);
    }

    private Task<List<List<string?>>> ReadResultSetAsync(CancellationToken cancellationToken) => ReadResultSetAsync(_connection, cancellationToken);

    /// <summary>Reads one result set's rows (each column as text or null), skipping notices, up to its CommandComplete.</summary>
    private static async Task<List<List<string?>>> ReadResultSetAsync(ReplicationConnection connection, CancellationToken cancellationToken)
    {
        var rows = new List<List<string?>>();
        while (true)
        {
            var (type, length) = await connection.ReadHeaderAsync(cancellationToken);
            var body = await connection.ReadBodyAsync(length, cancellationToken);
            switch (type)
            {
                case 'D':
                    rows.Add(DataRow(body));
                    break;
                case 'C':
                    return rows;
                case 'E':
                    throw connection.ServerError(body);
                default:
                    break; // RowDescription, NoticeResponse
            }
        }
    }

    private (WalPosition Position, uint Timeline) PositionOf(List<List<string?>> rows, string which)
    {
        if (rows.Count != 1 || rows[0].Count < 2 || WalPosition.TryParse(rows[0][0] ?? "") is not { } position
            || !uint.TryParse(rows[0][1], CultureInfo.InvariantCulture, out var timeline))
            throw _connection.Broken($"the backup's {which} position is not one row of position and timeline");
        return (position, timeline);
    }

    private static List<string?> DataRow(byte[] body)
    {
        var columns = BinaryPrimitives.ReadInt16BigEndian(body);
        var values = new List<string?>(columns);
        var at = 2;
        for (var i = 0; i < columns; i++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at));
            at += 4;
            values.Add(length < 0 ? null : Encoding.UTF8.GetString(body, at, length));
            at += Math.Max(0, length);
        }

        return values;
    }

    private static string CString(byte[] body, int from, out int next)
    {
        var end = Array.IndexOf(body, (byte)0, from);
        if (end < 0)
            end = body.Length;
        next = end + 1;
        return Encoding.UTF8.GetString(body, from, end - from);
    }

    /// <summary>The bytes of one archive: the payloads of the CopyData messages of kind 'd' that follow its start, progress messages skipped.</summary>
    private sealed class ArchiveContent(BaseBackupStream owner) : ReadOnlyStream
    {
        private int _remaining;
        private bool _ended;

        public override int Read(Span<byte> buffer) => throw new NotSupportedException("read the backup stream asynchronously");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_remaining == 0)
            {
                if (_ended || buffer.Length == 0)
                    return 0;
                var (type, length, kind) = await owner.ReadCopyHeaderAsync(cancellationToken);
                if (type == 'd' && kind == 'd')
                {
                    _remaining = length - 1;
                }
                else if (type == 'd' && kind == 'p')
                {
                    owner.BytesDone = BinaryPrimitives.ReadInt64BigEndian(await owner._connection.ReadBodyAsync(length - 1, cancellationToken));
                }
                else
                {
                    // The next archive, the manifest or the end: this archive is complete.
                    owner._pending = (type, length, kind);
                    _ended = true;
                    return 0;
                }
            }

            var read = await owner._connection.ReadBodyPartAsync(buffer[..Math.Min(buffer.Length, _remaining)], cancellationToken);
            _remaining -= read;
            return read;
        }
    }
}
