namespace Lifeboat.Buckets.Content;

/// <summary>What a <see cref="ContentCheck"/> looked at and found.</summary>
/// <param name="Contents">Contents the catalog holds.</param>
/// <param name="Packs">Packs in the repository.</param>
/// <param name="PacksRead">Packs read whole and every blob verified.</param>
/// <param name="Problems">Everything found wrong; empty when all is well.</param>
public sealed record ContentCheckReport(int Contents, int Packs, int PacksRead, IReadOnlyList<ContentProblem> Problems)
{
    /// <summary>True when nothing was found wrong.</summary>
    public bool Healthy => Problems.Count == 0;
}
