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

    public sealed record Result(int Connections, long TotalBytes, long TotalObjects, IReadOnlyList<TypeShare> Top);

    public static Result Take(int pid, int connections, int top = 40)
    {
        using var target = DataTarget.AttachToProcess(pid, suspend: true);
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var byType = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
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
        }
        var n = Math.Max(1, connections);
        var shares = byType.OrderByDescending(t => t.Value.Bytes).Take(top)
            .Select(t => new TypeShare(t.Key, t.Value.Count, t.Value.Bytes, Math.Round(t.Value.Count / (double)n, 2), Math.Round(t.Value.Bytes / (double)n, 1)))
            .ToArray();
        return new Result(connections, total, objects, shares);
    }
}
