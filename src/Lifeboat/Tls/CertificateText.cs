using System.Security.Cryptography.X509Certificates;

namespace Lifeboat.Tls;

/// <summary>How a refused server certificate is described to the operator, the same for every source that speaks TLS.</summary>
internal static class CertificateText
{
    /// <summary>What the chain check found wrong, in the runtime's words, or "untrusted" when it gave none.</summary>
    public static string ChainProblems(X509Chain? chain)
    {
        var problems = chain?.ChainStatus.Select(s => s.StatusInformation.Trim().TrimEnd('.')).Where(s => s.Length > 0).Distinct().ToList();
        return problems is { Count: > 0 } ? string.Join("; ", problems) : "untrusted";
    }

    /// <summary>The names a certificate is valid for (its subject alternative names), or its subject when it has none.</summary>
    public static string NamesIn(X509Certificate certificate)
    {
        using var full = new X509Certificate2(certificate);
        var alternative = full.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var names = alternative is null
            ? []
            : alternative.EnumerateDnsNames().Concat(alternative.EnumerateIPAddresses().Select(a => a.ToString())).ToList();
        return names.Count > 0 ? string.Join(", ", names) : $"only the subject {full.Subject}";
    }
}
