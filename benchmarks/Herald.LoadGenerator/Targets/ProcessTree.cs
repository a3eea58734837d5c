using System.Globalization;

namespace Herald.LoadGenerator.Targets;

/// <summary>
/// A server made of a parent process and its children, such as PostgreSQL (the postmaster and one
/// backend per connection): CPU seconds of the parent, of its children that have exited (which
/// the kernel adds to the parent's <c>cutime</c>/<c>cstime</c> when it reaps them) and of its
/// live children, read from /proc; RSS of the parent only (the children share its memory).
/// </summary>
public sealed class ProcessTree(int rootPid)
{
    private const double TicksPerSecond = 100;

    public int RootPid => rootPid;

    public ProcessSample? Sample()
    {
        try
        {
            var root = Fields(rootPid);
            if (root is null)
            {
                return null;
            }
            var ticks = Ticks(root, 11) + Ticks(root, 12) + Ticks(root, 13) + Ticks(root, 14);
            var threads = 1;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == rootPid)
                {
                    continue;
                }
                var fields = Fields(pid);
                if (fields is not null && fields[1] == rootPid.ToString(CultureInfo.InvariantCulture))
                {
                    ticks += Ticks(fields, 11) + Ticks(fields, 12);
                    threads++;
                }
            }
            var rss = ProcessSample.Read(rootPid).RssBytes;
            return new ProcessSample(rss, ticks / TicksPerSecond, threads, Infrastructure.Clock.NowMicros);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The fields of /proc/&lt;pid&gt;/stat after the command name (state, ppid, …), or null when the process is gone.</summary>
    private static string[]? Fields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long Ticks(string[] fields, int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);

    /// <summary>The parent process id of <paramref name="pid"/> (PostgreSQL: a backend's is the postmaster).</summary>
    public static int ParentOf(int pid) => int.Parse(Fields(pid)?[1] ?? throw new IOException($"process {pid} is gone"), CultureInfo.InvariantCulture);
}
