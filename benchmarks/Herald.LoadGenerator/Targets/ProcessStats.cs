using System.Globalization;

namespace Herald.LoadGenerator.Targets;

/// <summary>One reading of a process from /proc: resident memory and CPU seconds (user + system).</summary>
public readonly record struct ProcessSample(long RssBytes, double CpuSeconds, int Threads, long AtMicros)
{
    /// <summary>Linux's USER_HZ, the unit of utime and stime in /proc/&lt;pid&gt;/stat; 100 on every mainstream kernel.</summary>
    private const double TicksPerSecond = 100;

    public static ProcessSample Read(int pid)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name may contain spaces and parentheses: fields are counted after its last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessSample(rss, (utime + stime) / TicksPerSecond, threads, Infrastructure.Clock.NowMicros);
    }

    /// <summary>CPU cores used on average between two samples.</summary>
    public static double CoresBetween(ProcessSample from, ProcessSample to) =>
        to.AtMicros == from.AtMicros ? 0 : (to.CpuSeconds - from.CpuSeconds) / ((to.AtMicros - from.AtMicros) / 1e6);
}
