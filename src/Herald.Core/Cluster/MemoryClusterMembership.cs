namespace Herald.Core.Cluster;

/// <summary>
/// The node registry in the process: for a single node (the default), and for several nodes of
/// one process that share the instance, standing in for a cluster in tests. Leases are held in
/// the instance, so of the nodes sharing it one at a time leads a job. Thread-safe.
/// </summary>
public sealed class MemoryClusterMembership : IClusterMembership
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeReport> _nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _leases = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <param name="time">The clock of the heartbeats; the system clock when null.</param>
    public MemoryClusterMembership(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    public Task StartAsync(string nodeName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        return Task.CompletedTask;
    }

    public ValueTask<bool> HeartbeatAsync(NodeReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        lock (_lock)
        {
            var known = _nodes.ContainsKey(report.Name);
            _nodes[report.Name] = report with { LastSeen = _time.GetUtcNow() };
            return ValueTask.FromResult(known);
        }
    }

    public ValueTask<IReadOnlyList<NodeReport>> ListNodesAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<NodeReport>>(_nodes.Values.OrderBy(n => n.Name, StringComparer.Ordinal).ToList());
        }
    }

    public ValueTask<IReadOnlyList<string>> ListDeadNodesAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var limit = _time.GetUtcNow() - olderThan;
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>(_nodes.Values.Where(n => n.LastSeen < limit)
                .Select(n => n.Name).OrderBy(n => n, StringComparer.Ordinal).ToList());
        }
    }

    public ValueTask RemoveNodeAsync(string nodeName, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _nodes.Remove(nodeName);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<IAsyncDisposable?> TryLeadAsync(string job, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        lock (_lock)
        {
            return ValueTask.FromResult<IAsyncDisposable?>(_leases.Add(job) ? new Lease(this, job) : null);
        }
    }

    private sealed class Lease(MemoryClusterMembership owner, string job) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                lock (owner._lock)
                {
                    owner._leases.Remove(job);
                }
            }
            return ValueTask.CompletedTask;
        }
    }
}
