namespace Herald.Core.Cluster;

/// <summary>How the nodes of a cluster watch each other, bound from <c>Herald:Cluster</c>.</summary>
public sealed class ClusterOptions
{
    public const double DefaultHeartbeatIntervalSeconds = 2;
    public const double DefaultNodeTimeoutSeconds = 10;

    /// <summary>How often a node writes its heartbeat and report, and looks for dead nodes. Default 2.</summary>
    public double HeartbeatIntervalSeconds { get; set; } = DefaultHeartbeatIntervalSeconds;

    /// <summary>
    /// How long a node may miss heartbeats before another node removes it, with its presence
    /// entries (and their leave events). Must be more than twice the interval. Default 10: the
    /// entries of a node that died are gone within timeout plus interval of its last heartbeat.
    /// </summary>
    public double NodeTimeoutSeconds { get; set; } = DefaultNodeTimeoutSeconds;
}
