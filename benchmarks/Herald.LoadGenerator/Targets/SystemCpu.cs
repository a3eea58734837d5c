using System.Globalization;

namespace Herald.LoadGenerator.Targets;

/// <summary>
/// Machine-wide CPU time from /proc/stat, so that a step can say how much of the machine was busy
/// with neither the server nor the generator (other processes, kernel softirq work not charged to either).
/// </summary>
public readonly record struct SystemCpu(double BusySeconds, double TotalSeconds)
{
    public static SystemCpu Read()
    {
        var line = File.ReadLines("/proc/stat").First();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        var total = values.Take(8).Sum();
        var idle = values[3] + values[4];
        return new SystemCpu((total - idle) / 100.0, total / 100.0);
    }
}
