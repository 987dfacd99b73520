namespace Lifeboat;

/// <summary>A byte-counted task under way: it reports the running count, and a better guess of an estimated total as the task learns one.</summary>
public interface ITransferProgress : IProgress<long>
{
    /// <summary>Replaces the estimated total with <paramref name="totalBytes"/>; ignored for a task whose total was known.</summary>
    void Reestimate(long totalBytes);
}
