namespace Herald.Core.Cluster;

/// <summary>
/// What a node tells the cluster about itself at every heartbeat: the figures of its
/// <c>/api/stats</c>, kept per node by <see cref="IClusterMembership"/>.
/// </summary>
public sealed record NodeReport
{
    /// <summary>The node's name (<c>Herald:NodeName</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The Herald version the node runs.</summary>
    public required string Version { get; init; }

    /// <summary>When the node started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Open connections.</summary>
    public long Connections { get; init; }

    /// <summary>Distinct users with open connections on the node.</summary>
    public long Users { get; init; }

    /// <summary>Channels with subscribers on the node.</summary>
    public long Channels { get; init; }

    /// <summary>Subscriptions on the node.</summary>
    public long Subscriptions { get; init; }

    /// <summary>Frames received from clients since the node started.</summary>
    public long MessagesIn { get; init; }

    /// <summary>Publications queued to clients since the node started.</summary>
    public long MessagesOut { get; init; }

    /// <summary>Publications accepted on the node since it started.</summary>
    public long Publications { get; init; }

    /// <summary>Frames dropped because a send queue was full.</summary>
    public long Dropped { get; init; }

    /// <summary>Connections cut off as slow consumers.</summary>
    public long SlowConsumers { get; init; }

    /// <summary>When the registry last heard from the node (set by <see cref="IClusterMembership.ListNodesAsync"/>; ignored in a heartbeat).</summary>
    public DateTimeOffset LastSeen { get; init; }
}
