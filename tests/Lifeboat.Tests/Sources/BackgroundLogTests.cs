using Lifeboat.Cli.Sources.Postgres;

namespace Lifeboat.Tests.Sources;

/// <summary>The background pusher's and prefetcher's logs on a server that archives for years.</summary>
public sealed class BackgroundLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lifeboat-pusher-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_log_past_one_mebibyte_becomes_the_previous_log_and_a_small_one_is_left_alone()
    {
        var log = Path.Combine(_dir, "pusher.log");
        File.WriteAllText(log, "small");
        BackgroundLifeboat.RotateLog(log);
        var smallKept = File.ReadAllText(log);
        File.WriteAllText(log + ".1", "older");
        File.WriteAllBytes(log, new byte[(1 << 20) + 1]);

        BackgroundLifeboat.RotateLog(log);

        Assert.Equal("small", smallKept);
        Assert.False(File.Exists(log));
        Assert.Equal((1 << 20) + 1, new FileInfo(log + ".1").Length);
    }
}
