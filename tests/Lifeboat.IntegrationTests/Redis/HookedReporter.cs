namespace Lifeboat.IntegrationTests.Redis;

/// <summary>
/// A reporter that runs the test's hook when a restore reaches a point it reports: an event (the verification pass
/// done) or the start of a transfer (the writing pass begun). Lets a test change the target between the two passes.
/// </summary>
internal sealed class HookedReporter(Action<string> onEvent, Action<string>? onTransfer = null) : IActivityReporter
{
    public void Event(string message) => onEvent(message);

    public void Warning(string message)
    {
    }

    public ITransferProgress StartTransfer(string description, long? totalBytes, bool estimated = false)
    {
        onTransfer?.Invoke(description);
        return SilentReporter.Instance.StartTransfer(description, totalBytes, estimated);
    }

    public IProgress<ItemsDone> StartItems(string description, int totalItems) => SilentReporter.Instance.StartItems(description, totalItems);
}
