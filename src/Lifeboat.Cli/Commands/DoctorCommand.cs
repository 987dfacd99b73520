using System.CommandLine;
using Lifeboat.Cli.Doctor;
using Lifeboat.Cli.Output;

namespace Lifeboat.Cli.Commands;

/// <summary>lifeboat doctor: checks the whole setup without taking a backup, one line per check.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command(
            "doctor",
            "Check the setup without taking a backup: configuration, repository and key, leftovers of killed runs, and each source's connection, permissions, restore rights, tools, newest backup and spool space; exits 3 when a check fails");
        command.SetBody(async (_, options, cancellationToken) =>
        {
            var verdict = new DoctorVerdict();
            var lines = new List<DoctorLine>();
            await foreach (var check in DoctorChecks.RunAsync(options.ConfigPath, cancellationToken))
            {
                verdict.Add(check.Status);
                var line = DoctorLine.Of(check);
                lines.Add(line);
                // Lines come as their checks finish, so a slow server shows where the run is waiting.
                if (!options.Json && (!options.Quiet || check.Status is HealthStatus.Warn or HealthStatus.Fail))
                    Console.WriteLine(line);
            }

            if (options.Json)
                CliJson.Print(new DoctorSummary(DoctorLine.StatusWord(verdict.Worst), lines), DoctorJson.Default.DoctorSummary);
            else if (!options.Quiet)
                Console.WriteLine(verdict.Summary());
            return verdict.ExitCode;
        });
        return command;
    }
}
