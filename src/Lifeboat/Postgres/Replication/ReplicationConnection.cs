using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Lifeboat.Postgres.Replication;

/// <summary>
/// A physical replication connection (replication=true) speaking PostgreSQL's frontend/backend protocol 3.0 itself:
/// no client library offers BASE_BACKUP's stream, and pg_basebackup can write several tablespaces only to files.
/// It authenticates with trust, a password, MD5 or SCRAM-SHA-256, and reads messages as streams, never whole.
/// </summary>
internal sealed class ReplicationConnection : IAsyncDisposable
{
    private const int ProtocolVersion3 = 196608;

    // SSLRequest's code (1234 << 16 | 5679): asked before the startup message, answered with one byte.
    private const int SslRequestCode = 80877103;

    private readonly Stream _stream;
    private readonly byte[] _header = new byte[5];

    // TCP without TLS: what a password sent in clear text would cross.
    private readonly bool _overNetworkInClear;

    private ReplicationConnection(Stream stream, bool overNetworkInClear)
    {
        _stream = stream;
        _overNetworkInClear = overNetworkInClear;
    }

    /// <summary>Where the connection goes, for messages.</summary>
    public required string Describe { get; init; }

    /// <summary>True when the server asked for the password in clear text ('password' in pg_hba.conf) and it went over TCP without TLS.</summary>
    public bool SentPasswordInClear { get; private set; }

    /// <summary>
    /// Connects and authenticates as <see cref="PostgresSource.User"/>: over a Unix socket when the host is a
    /// directory (as libpq reads it), else over TCP with TLS as the source's <see cref="PostgresSslMode"/> asks, as
    /// Npgsql and pg_dump connect for the same source.
    /// </summary>
    public static async Task<ReplicationConnection> OpenAsync(PostgresSource source, CancellationToken cancellationToken)
    {
        var unix = PostgresTls.IsUnixSocket(source.Host);
        Stream stream;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            stream = await ConnectAsync(source, unix, timeout.Token);
            if (!unix && source.SslMode != PostgresSslMode.Disable)
                stream = await NegotiateTlsAsync(stream, source, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException
                                      or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new LifeboatException($"cannot open a replication connection to {source.Describe()}: {e.Message}")
            {
                Remedy = new(RemedyAction.CheckSourceAddress, PostgresDumpBackup.SourceType),
            };
        }

        var connection = new ReplicationConnection(stream, overNetworkInClear: !unix && stream is not System.Net.Security.SslStream) { Describe = source.Describe() };
        try
        {
            await connection.StartAsync(source, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<Stream> ConnectAsync(PostgresSource source, bool unix, CancellationToken cancellationToken)
    {
        var socket = unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (unix)
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(source.Host, $".s.PGSQL.{source.Port}")), cancellationToken);
            else
                await socket.ConnectAsync(source.Host, source.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Asks for TLS and wraps the stream when the server agrees; a server without TLS answers 'N', and the connection
    /// goes on in the clear only when the mode is prefer.
    /// </summary>
    private static async Task<Stream> NegotiateTlsAsync(Stream stream, PostgresSource source, CancellationToken cancellationToken)
    {
        try
        {
            var request = new byte[8];
            BinaryPrimitives.WriteInt32BigEndian(request, 8);
            BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(4), SslRequestCode);
            await stream.WriteAsync(request, cancellationToken);
            var answer = new byte[1];
            await stream.ReadExactlyAsync(answer, cancellationToken);
            if (answer[0] == (byte)'N')
                return source.SslMode.Requires() ? throw PostgresTls.NotOffered(source) : stream;
            if (answer[0] != (byte)'S')
                throw new IOException($"the server answered the TLS request with '{(char)answer[0]}', not S or N");
            var check = ServerCertificateCheck.For(source);
            var tls = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: false);
            try
            {
                await tls.AuthenticateAsClientAsync(check.Options(), cancellationToken);
            }
            catch (System.Security.Authentication.AuthenticationException e) when (check.Refusal is not null)
            {
                await tls.DisposeAsync();
                throw check.Refused(e);
            }
            catch
            {
                // The TLS session holds native state of its own, which disposing the socket's stream below would not free.
                await tls.DisposeAsync();
                throw;
            }

            return tls;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a replication command as a simple query.</summary>
    public Task SendQueryAsync(string command, CancellationToken cancellationToken) =>
        SendMessageAsync('Q', [.. Encoding.UTF8.GetBytes(command), 0], cancellationToken);

    /// <summary>Reads the next message's type and length; its body must then be read whole with <see cref="ReadBodyAsync"/> or <see cref="ReadBodyPartAsync"/>.</summary>
    public async Task<(char Type, int Length)> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        await ReadExactlyAsync(_header, cancellationToken);
        var length = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(1)) - 4;
        if (length < 0)
            throw Broken($"a message of negative length {length}");
        return ((char)_header[0], length);
    }

    /// <summary>Reads a small message body whole.</summary>
    public async Task<byte[]> ReadBodyAsync(int length, CancellationToken cancellationToken)
    {
        if (length > 16 << 20)
            throw Broken($"a {length}-byte message where a small one was expected");
        var body = new byte[length];
        await ReadExactlyAsync(body, cancellationToken);
        return body;
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length of the current body.</summary>
    public async Task<int> ReadBodyPartAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await _stream.ReadAsync(buffer, cancellationToken);
        if (read == 0)
            throw Broken("the connection closed in the middle of a message");
        return read;
    }

    /// <summary>The server's error, as one exception naming the server.</summary>
    public LifeboatException ServerError(byte[] body)
    {
        var fields = ErrorFields(body);
        var message = fields.GetValueOrDefault('M') ?? "unknown error";
        var code = fields.GetValueOrDefault('C');
        return code switch
        {
            "28P01" or "28000" => new LifeboatException($"{Describe} refused the replication connection: {message}", "the user needs the REPLICATION attribute and a pg_hba.conf line for 'replication'")
            {
                Remedy = new(RemedyAction.CheckSourcePassword, PostgresDumpBackup.SourceType),
            },
            "42501" => new LifeboatException($"{Describe} refused: {message}", "the user needs the REPLICATION attribute (ALTER ROLE … REPLICATION) or to be a superuser"),
            _ => new LifeboatException($"{Describe} reported: {message}{(code is null ? "" : $" (SQLSTATE {code})")}"),
        };
    }

    /// <summary>A protocol violation, naming the server.</summary>
    public LifeboatException Broken(string what) => new($"the replication connection to {Describe} broke: {what}", "check the server's log; the backup was not recorded");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            // Terminate, so the server logs a clean disconnection rather than an unexpected EOF.
            await _stream.WriteAsync(new byte[] { (byte)'X', 0, 0, 0, 4 });
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // Already gone.
        }

        await _stream.DisposeAsync();
    }

    private async Task StartAsync(PostgresSource source, CancellationToken cancellationToken)
    {
        await SendStartupAsync(source.User, cancellationToken);
        while (true)
        {
            var (type, length) = await ReadHeaderAsync(cancellationToken);
            var body = await ReadBodyAsync(length, cancellationToken);
            switch (type)
            {
                case 'R':
                    await AuthenticateAsync(source, body, cancellationToken);
                    break;
                case 'E':
                    throw ServerError(body);
                case 'Z':
                    return;
                default:
                    break; // ParameterStatus, BackendKeyData, NoticeResponse
            }
        }
    }

    private async Task SendStartupAsync(string user, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, ProtocolVersion3);
        body.Write(number);
        foreach (var (name, value) in new[] { ("user", user), ("replication", "true"), ("application_name", "lifeboat") })
        {
            body.Write(Encoding.UTF8.GetBytes(name));
            body.WriteByte(0);
            body.Write(Encoding.UTF8.GetBytes(value));
            body.WriteByte(0);
        }

        body.WriteByte(0);
        var message = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, message.Length);
        body.ToArray().CopyTo(message, 4);
        await _stream.WriteAsync(message, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    private ScramSha256? _scram;
    private bool _scramVerified;

    private async Task AuthenticateAsync(PostgresSource source, byte[] body, CancellationToken cancellationToken)
    {
        var code = BinaryPrimitives.ReadInt32BigEndian(body);
        switch (code)
        {
            case 0:
                // Once SCRAM began, the server must have proven it knows the password before it lets us in.
                if (_scram is not null && !_scramVerified)
                    throw new LifeboatException($"{Describe} ended SCRAM authentication without proving it knows the password", "check that the host and port are the real server's");
                return;
            case 3:
                SentPasswordInClear = _overNetworkInClear;
                await SendPasswordAsync(Encoding.UTF8.GetBytes(PasswordOf(source)), cancellationToken);
                return;
            case 5:
                await SendPasswordAsync(Encoding.ASCII.GetBytes(Md5Password(source.User, PasswordOf(source), body.AsSpan(4, 4))), cancellationToken);
                return;
            case 10:
                _scram = new ScramSha256(PasswordOf(source));
                await SendSaslInitialAsync(_scram.ClientFirst(), cancellationToken);
                return;
            case 11:
                await SendMessageAsync('p', (_scram ?? throw Broken("SASL continue before SASL start")).ClientFinal(Encoding.UTF8.GetString(body.AsSpan(4))), cancellationToken);
                return;
            case 12:
                (_scram ?? throw Broken("SASL final before SASL start")).CheckServerFinal(Encoding.UTF8.GetString(body.AsSpan(4)));
                _scramVerified = true;
                return;
            default:
                throw new LifeboatException($"{Describe} asks for authentication method {code}, which Lifeboat's replication connection does not speak", "use scram-sha-256, md5, password or trust for replication in pg_hba.conf");
        }
    }

    private string PasswordOf(PostgresSource source) =>
        source.Password ?? throw new LifeboatException($"{Describe} asks for a password and none is configured")
        {
            Remedy = new(RemedyAction.CheckSourcePassword, PostgresDumpBackup.SourceType),
        };

    private static string Md5Password(string user, string password, ReadOnlySpan<byte> salt)
    {
        var inner = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));
        var outer = MD5.HashData([.. Encoding.ASCII.GetBytes(inner), .. salt]);
        return "md5" + Convert.ToHexStringLower(outer) + "\0";
    }

    private Task SendPasswordAsync(byte[] password, CancellationToken cancellationToken) =>
        SendMessageAsync('p', password[^1] == 0 ? password : [.. password, 0], cancellationToken);

    private Task SendSaslInitialAsync(byte[] clientFirst, CancellationToken cancellationToken)
    {
        var mechanism = Encoding.ASCII.GetBytes(ScramSha256.Mechanism);
        var body = new byte[mechanism.Length + 1 + 4 + clientFirst.Length];
        mechanism.CopyTo(body, 0);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(mechanism.Length + 1), clientFirst.Length);
        clientFirst.CopyTo(body, mechanism.Length + 5);
        return SendMessageAsync('p', body, cancellationToken);
    }

    private async Task SendMessageAsync(char type, byte[] body, CancellationToken cancellationToken)
    {
        var message = new byte[5 + body.Length];
        message[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), 4 + body.Length);
        body.CopyTo(message, 5);
        await _stream.WriteAsync(message, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    private async Task ReadExactlyAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, cancellationToken);
        }
        catch (EndOfStreamException)
        {
            throw Broken("the server closed the connection");
        }
    }

    private static Dictionary<char, string> ErrorFields(byte[] body)
    {
        var fields = new Dictionary<char, string>();
        var at = 0;
        while (at < body.Length && body[at] != 0)
        {
            var type = (char)body[at++];
            var end = Array.IndexOf(body, (byte)0, at);
            if (end < 0)
                break;
            fields[type] = Encoding.UTF8.GetString(body, at, end - at);
            at = end + 1;
        }

        return fields;
    }
}
