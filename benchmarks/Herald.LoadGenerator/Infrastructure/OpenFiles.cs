using System.Runtime.InteropServices;

namespace Herald.LoadGenerator.Infrastructure;

/// <summary>
/// RLIMIT_NOFILE: raised to the hard limit at start (servers started by the generator inherit
/// it). Each loopback connection costs one descriptor in the generator and one in the server, so
/// the hard limit bounds the connection count; raising the hard limit needs CAP_SYS_RESOURCE.
/// </summary>
public static partial class OpenFiles
{
    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    /// <summary>The soft limit after raising it as far as allowed.</summary>
    public static long Raise(long wanted = 1_048_576)
    {
        if (getrlimit(RlimitNofile, out var limit) != 0)
        {
            return -1;
        }
        var target = Math.Min((ulong)wanted, limit.Maximum);
        if (target > limit.Current)
        {
            // Try the hard limit too (works only with CAP_SYS_RESOURCE); fall back to the soft one.
            var both = new RLimit { Current = (ulong)wanted, Maximum = Math.Max((ulong)wanted, limit.Maximum) };
            if (setrlimit(RlimitNofile, both) != 0)
            {
                var soft = new RLimit { Current = target, Maximum = limit.Maximum };
                _ = setrlimit(RlimitNofile, soft);
            }
        }
        return Current;
    }

    public static long Current => getrlimit(RlimitNofile, out var limit) == 0 ? (long)Math.Min(limit.Current, long.MaxValue) : -1;

    public static string Describe() => getrlimit(RlimitNofile, out var limit) == 0 ? $"{limit.Current} soft / {limit.Maximum} hard" : "unknown";
}
