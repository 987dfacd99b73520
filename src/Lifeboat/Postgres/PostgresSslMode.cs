namespace Lifeboat.Postgres;

/// <summary>Whether and how connections to a PostgreSQL server use TLS, as libpq's sslmode: every client Lifeboat connects with follows it.</summary>
public enum PostgresSslMode
{
    /// <summary>Never TLS.</summary>
    Disable,

    /// <summary>TLS when the server offers it, else in the clear; the certificate is not checked (libpq's default).</summary>
    Prefer,

    /// <summary>TLS or no connection; the certificate is not checked, so this stops eavesdropping and downgrades, not an impostor.</summary>
    Require,

    /// <summary>TLS with a certificate that chains to the configured certificate authority.</summary>
    VerifyCa,

    /// <summary>As <see cref="VerifyCa"/>, and the certificate names the host connected to.</summary>
    VerifyFull,
}
