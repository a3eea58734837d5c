namespace Herald.Core.Cluster;

/// <summary>
/// The registry of the nodes of a cluster: which nodes are alive (they heartbeat), what each one
/// reports about itself, and which node runs a cluster-wide job right now. One instance per node
/// across processes (a table in a shared database), or one instance shared by every node of one
/// process (<see cref="MemoryClusterMembership"/>).
/// </summary>
/// <remarks>
/// The contract every implementation keeps, and that the membership compliance suite in
/// tests/Herald.Specification.Tests checks:
/// <list type="bullet">
/// <item>A node is registered from its first <see cref="HeartbeatAsync"/> until
/// <see cref="RemoveNodeAsync"/>; each heartbeat replaces its report and records when it was
/// seen, on one clock for the whole cluster (the database's, where there is one), so that nodes
/// whose clocks disagree never take each other for dead.</item>
/// <item><see cref="ListDeadNodesAsync"/> names exactly the registered nodes whose latest
/// heartbeat is older than the given age; <see cref="ListNodesAsync"/> every registered node,
/// dead or not, until it is removed.</item>
/// <item>Leadership: <see cref="TryLeadAsync"/> gives at most one holder per job name in the whole
/// cluster at a time, whichever node asks, and a second call on the same node while the first
/// lease is held gets null too. A lease lasts until it is disposed, or until its holder dies
/// (its connection drops); the next call after that may get it.</item>
/// </list>
/// Every member is thread-safe.
/// </remarks>
public interface IClusterMembership
{
    /// <summary>
    /// Prepares the registry (creating or migrating its storage where it has any) for the node
    /// <paramref name="nodeName"/>. Called once by each node, before its first heartbeat.
    /// </summary>
    Task StartAsync(string nodeName, CancellationToken cancellationToken);

    /// <summary>
    /// Registers the node when it is not, and stores its report as of now. Returns false when the
    /// node was not registered (its first heartbeat, or it was removed as dead meanwhile: then
    /// its presence entries are gone and it must join them again), true otherwise.
    /// </summary>
    ValueTask<bool> HeartbeatAsync(NodeReport report, CancellationToken cancellationToken);

    /// <summary>The latest report of every registered node, ordered by name, each with <see cref="NodeReport.LastSeen"/> set.</summary>
    ValueTask<IReadOnlyList<NodeReport>> ListNodesAsync(CancellationToken cancellationToken);

    /// <summary>The names of the registered nodes whose latest heartbeat is older than <paramref name="olderThan"/>.</summary>
    ValueTask<IReadOnlyList<string>> ListDeadNodesAsync(TimeSpan olderThan, CancellationToken cancellationToken);

    /// <summary>Unregisters a node. Idempotent.</summary>
    ValueTask RemoveNodeAsync(string nodeName, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the cluster-wide lease of <paramref name="job"/> when nobody holds it, or returns
    /// null at once when another holder has it. Dispose the lease when the job's run is over.
    /// </summary>
    ValueTask<IAsyncDisposable?> TryLeadAsync(string job, CancellationToken cancellationToken);
}
