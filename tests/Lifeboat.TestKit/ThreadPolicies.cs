using System.Globalization;

namespace Lifeboat.TestKit;

/// <summary>The Linux scheduling policy of each thread of a process (0 SCHED_OTHER, 5 SCHED_IDLE), read from /proc.</summary>
public static class ThreadPolicies
{
    /// <summary>Each thread of process <paramref name="pid"/> ("self" for this one) by name, with its policy (the 41st field of its stat); none once it ended.</summary>
    public static List<(string Name, int Policy)> Of(string pid)
    {
        var threads = new List<(string, int)>();
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return threads;
        }

        foreach (var task in tasks)
        {
            var stat = ReadOrEmpty(Path.Join(task, "stat"));
            if (stat.Length == 0)
                continue;
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            threads.Add((ReadOrEmpty(Path.Join(task, "comm")).TrimEnd('\n'), int.Parse(fields[38], CultureInfo.InvariantCulture)));
        }

        return threads;
    }

    /// <summary>A /proc file's text, or "" when its thread or process ended while it was looked at.</summary>
    public static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
