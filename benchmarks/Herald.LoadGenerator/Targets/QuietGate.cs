namespace Herald.LoadGenerator.Targets;

/// <summary>
/// This machine may be shared (other builds and test runs on the same cores). Before a
/// measurement, wait (bounded) until the CPU time used by everything except the server under
/// test and the generator stays below a threshold, and say how long that took and what was left.
/// Every step also reports the cores other processes used while it was measured.
/// </summary>
public static class QuietGate
{
    /// <summary>Cores used by processes other than <paramref name="serverPid"/> and this one over <paramref name="window"/>.</summary>
    public static Task<double> OtherCoresAsync(int? serverPid, TimeSpan window, CancellationToken cancellationToken) =>
        OtherCoresAsync(() => Read(serverPid), window, cancellationToken);

    /// <summary>Cores used by processes other than this one and those whose CPU seconds <paramref name="measuredCpuSeconds"/> reads (the servers under test).</summary>
    public static async Task<double> OtherCoresAsync(Func<double> measuredCpuSeconds, TimeSpan window, CancellationToken cancellationToken)
    {
        var machine0 = SystemCpu.Read();
        var self0 = Environment.CpuUsage.TotalTime.TotalSeconds;
        var server0 = measuredCpuSeconds();
        await Task.Delay(window, cancellationToken).ConfigureAwait(false);
        var machine1 = SystemCpu.Read();
        var self1 = Environment.CpuUsage.TotalTime.TotalSeconds;
        var server1 = measuredCpuSeconds();
        var busy = machine1.BusySeconds - machine0.BusySeconds;
        return Math.Max(0, (busy - (self1 - self0) - (server1 - server0)) / window.TotalSeconds);
    }

    /// <summary>Waits until other processes use less than <paramref name="maxOtherCores"/>; returns the last reading and the seconds waited.</summary>
    public static Task<(double OtherCores, double WaitedSeconds)> WaitAsync(int? serverPid, double maxOtherCores, TimeSpan maxWait, string title, CancellationToken cancellationToken) =>
        WaitAsync(() => Read(serverPid), maxOtherCores, maxWait, title, cancellationToken);

    /// <summary>As above, the servers under test being whatever <paramref name="measuredCpuSeconds"/> reads.</summary>
    public static async Task<(double OtherCores, double WaitedSeconds)> WaitAsync(Func<double> measuredCpuSeconds, double maxOtherCores, TimeSpan maxWait, string title, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        var reported = false;
        while (true)
        {
            var other = await OtherCoresAsync(measuredCpuSeconds, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            var waited = (DateTime.UtcNow - started).TotalSeconds;
            if (other <= maxOtherCores || waited >= maxWait.TotalSeconds)
            {
                if (reported || other > maxOtherCores)
                {
                    await Console.Error.WriteLineAsync($"[{title}] other processes use {other:0.00} cores after waiting {waited:0} s{(other > maxOtherCores ? " (going ahead anyway)" : "")}").ConfigureAwait(false);
                }
                return (Math.Round(other, 3), Math.Round(waited, 1));
            }
            if (!reported)
            {
                await Console.Error.WriteLineAsync($"[{title}] waiting for the machine to be quiet: other processes use {other:0.00} cores (limit {maxOtherCores})").ConfigureAwait(false);
                reported = true;
            }
        }
    }

    private static double Read(int? pid)
    {
        if (pid is not { } p)
        {
            return 0;
        }
        try
        {
            return ProcessSample.Read(p).CpuSeconds;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
