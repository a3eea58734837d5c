using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Herald.LoadGenerator.Infrastructure;

/// <summary>What the figures were measured on.</summary>
public sealed record MachineInfo(string Cpu, int Cores, long MemoryBytes, string Kernel, string Dotnet, string? Node, string OpenFilesLimit)
{
    public static MachineInfo Read() => new(
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown",
        Environment.ProcessorCount,
        MemTotal(),
        File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
        RuntimeInformation.FrameworkDescription,
        NodeVersion(),
        OpenFiles.Describe());

    private static long MemTotal()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private static string? NodeVersion()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            var version = process!.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public override string ToString() =>
        $"{Cpu}, {Cores} cores, {MemoryBytes / (1024 * 1024 * 1024.0):0.0} GiB, Linux {Kernel}, {Dotnet}, node {Node ?? "absent"}, open files {OpenFilesLimit}";
}
