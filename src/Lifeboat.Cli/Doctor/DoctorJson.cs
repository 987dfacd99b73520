using System.Text.Json.Serialization;

namespace Lifeboat.Cli.Doctor;

/// <summary>What 'doctor --json' prints: the overall status (ok, warn or fail) and every check.</summary>
internal sealed record DoctorSummary(string Status, IReadOnlyList<DoctorLine> Checks);

/// <summary>Source-generated JSON for 'doctor --json' (no reflection at start-up).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(DoctorSummary))]
internal sealed partial class DoctorJson : JsonSerializerContext;
