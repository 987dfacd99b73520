namespace Lifeboat;

/// <summary>What the operator can do about an error, for the front end to put in its own words.</summary>
/// <param name="Action">What to do.</param>
/// <param name="Subject">What the action applies to, where its <see cref="RemedyAction"/> says so (a backup id, a source type); else null.</param>
public sealed record Remedy(RemedyAction Action, string? Subject = null);
