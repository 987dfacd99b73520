using System.Security.Cryptography;
using System.Text;

namespace Lifeboat.Postgres.Replication;

/// <summary>
/// The client side of SCRAM-SHA-256 (RFC 5802/7677) as PostgreSQL speaks it: no channel binding, the user name left
/// empty (the server takes it from the startup message), and the server's signature checked at the end.
/// </summary>
internal sealed class ScramSha256(string password)
{
    private readonly string _clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    private byte[]? _expectedServerSignature;

    /// <summary>The mechanism name sent in SASLInitialResponse.</summary>
    public const string Mechanism = "SCRAM-SHA-256";

    private string ClientFirstBare => $"n=,r={_clientNonce}";

    /// <summary>client-first-message.</summary>
    public byte[] ClientFirst() => Encoding.UTF8.GetBytes("n,," + ClientFirstBare);

    /// <summary>client-final-message, from the server's first message; remembers what the server must sign.</summary>
    public byte[] ClientFinal(string serverFirst)
    {
        var fields = Fields(serverFirst);
        var nonce = fields.GetValueOrDefault('r') ?? throw Refused("the server's first message has no nonce");
        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
            throw Refused("the server's nonce does not extend ours");
        var salt = Convert.FromBase64String(fields.GetValueOrDefault('s') ?? throw Refused("the server's first message has no salt"));
        if (!int.TryParse(fields.GetValueOrDefault('i'), out var iterations) || iterations < 1)
            throw Refused("the server's first message has no iteration count");

        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var withoutProof = $"c=biws,r={nonce}";
        var authMessage = Encoding.UTF8.GetBytes($"{ClientFirstBare},{serverFirst},{withoutProof}");
        var signature = HMACSHA256.HashData(storedKey, authMessage);
        var proof = new byte[clientKey.Length];
        for (var i = 0; i < proof.Length; i++)
            proof[i] = (byte)(clientKey[i] ^ signature[i]);
        _expectedServerSignature = HMACSHA256.HashData(HMACSHA256.HashData(salted, "Server Key"u8), authMessage);
        return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}");
    }

    /// <summary>Checks the server's final message: a server that cannot prove it knows the password is not trusted.</summary>
    public void CheckServerFinal(string serverFinal)
    {
        var fields = Fields(serverFinal);
        if (fields.TryGetValue('e', out var error))
            throw Refused($"the server refused: {error}");
        var signature = fields.GetValueOrDefault('v') is { } v ? Convert.FromBase64String(v) : null;
        if (_expectedServerSignature is null || signature is null || !CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
            throw Refused("the server's signature does not match");
    }

    private static Dictionary<char, string> Fields(string message) =>
        message.Split(',').Where(f => f.Length >= 2 && f[1] == '=').GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.First()[2..]);

    private static LifeboatException Refused(string why) => new($"SCRAM-SHA-256 authentication failed: {why}");
}
