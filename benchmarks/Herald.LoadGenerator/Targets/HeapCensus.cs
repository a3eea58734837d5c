using Microsoft.Diagnostics.Runtime;

namespace Herald.LoadGenerator.Targets;

/// <summary>
/// What a .NET server's managed heap holds, by type: attaches to the process with ClrMD (ptrace,
/// the process is suspended while the heap is walked), counts live-or-not objects per type, and
/// divides by the number of connections, so that "bytes per connection" can be read type by type.
/// Run it after a full GC (see <see cref="ServerUnderTest.CollectGarbageAsync"/>) so the heap holds
/// what is retained. Needs the same user as the server (root here).
/// </summary>
public static class HeapCensus
{
    public sealed record TypeShare(string Type, long Count, long Bytes, double CountPerConnection, double BytesPerConnection);

    /// <summary>Byte arrays and strings by exact size: which buffers each connection keeps.</summary>
    public sealed record SizeShare(string Type, long Size, long Count, double CountPerConnection);

    public sealed record Result(int Connections, long TotalBytes, long TotalObjects, IReadOnlyList<TypeShare> Top, IReadOnlyList<SizeShare> Sizes);

    /// <summary>
    /// Takes the census in a child process (this program's <c>heap-census</c> command): ClrMD loads
    /// the target runtime's DAC into the process that attaches, and once unloaded it can take that
    /// process down with it (it did: a segfault minutes later). The measurements stay out of harm's way.
    /// </summary>
    public static async Task<Result?> TakeInChildAsync(int pid, int connections, CancellationToken cancellationToken)
    {
        var self = Environment.ProcessPath!;
        var start = new System.Diagnostics.ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(HeapCensus).Assembly.Location);
        }
        foreach (var arg in new[] { "heap-census", "--pid", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--connections", connections.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode == 0
            ? System.Text.Json.JsonSerializer.Deserialize<Result>(output, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))
            : null;
    }

    public static Result Take(int pid, int connections, int top = 40)
    {
        using var target = DataTarget.AttachToProcess(pid, suspend: true);
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var byType = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
        var bySize = new Dictionary<(string, long), long>();
        long total = 0, objects = 0;
        foreach (var obj in runtime.Heap.EnumerateObjects())
        {
            if (!obj.IsValid || obj.IsFree)
            {
                continue;
            }
            var name = obj.Type?.Name ?? "<unknown>";
            var size = (long)obj.Size;
            var entry = byType.GetValueOrDefault(name);
            byType[name] = (entry.Count + 1, entry.Bytes + size);
            total += size;
            objects++;
            if (name is "System.Byte[]" or "System.String")
            {
                bySize[(name, size)] = bySize.GetValueOrDefault((name, size)) + 1;
            }
        }
        var n = Math.Max(1, connections);
        var shares = byType.OrderByDescending(t => t.Value.Bytes).Take(top)
            .Select(t => new TypeShare(t.Key, t.Value.Count, t.Value.Bytes, Math.Round(t.Value.Count / (double)n, 2), Math.Round(t.Value.Bytes / (double)n, 1)))
            .ToArray();
        var sizes = bySize.OrderByDescending(kv => kv.Key.Item2 * kv.Value).Take(12)
            .Select(kv => new SizeShare(kv.Key.Item1, kv.Key.Item2, kv.Value, Math.Round(kv.Value / (double)n, 2)))
            .ToArray();
        return new Result(connections, total, objects, shares, sizes);
    }
}
