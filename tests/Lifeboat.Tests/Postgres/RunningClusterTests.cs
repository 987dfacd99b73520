using System.Diagnostics;
using Lifeboat.Postgres;

namespace Lifeboat.Tests.Postgres;

public sealed class RunningClusterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lifeboat-running-").FullName;

    [Fact]
    public void A_postgres_process_outside_a_data_directory_is_not_taken_for_a_server_but_one_inside_is()
    {
        var program = Path.Combine(_root, "postgres");
        File.Copy("/usr/bin/sleep", program);
        var dataDirectory = Directory.CreateDirectory(Path.Combine(_root, "data")).FullName;
        File.WriteAllText(Path.Combine(dataDirectory, "PG_VERSION"), "15\n");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;

        using var inside = Start(program, dataDirectory);
        using var outside = Start(program, elsewhere);
        try
        {
            var pids = RunningCluster.FindAll().Select(cluster => cluster.Pid).ToList();

            Assert.Contains(inside.Id, pids);
            Assert.DoesNotContain(outside.Id, pids);
        }
        finally
        {
            inside.Kill();
            outside.Kill();
        }
    }

    private static Process Start(string program, string workingDirectory) =>
        Process.Start(new ProcessStartInfo(program, "60") { WorkingDirectory = workingDirectory, UseShellExecute = false })
        ?? throw new InvalidOperationException($"{program} did not start");

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
