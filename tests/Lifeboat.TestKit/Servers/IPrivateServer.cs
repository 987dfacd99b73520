namespace Lifeboat.TestKit.Servers;

/// <summary>A private server the test run started, to be stopped at the latest when the run's process exits.</summary>
internal interface IPrivateServer
{
    /// <summary>Stops the server at once, synchronously: the process is exiting and nothing may be awaited.</summary>
    void StopNow();
}
