using System.Reflection;
using Herald.Core.Internal;

namespace Herald.Core.Cluster;

/// <summary>
/// The background job that keeps the cluster's view of its nodes true. Every
/// <see cref="ClusterOptions.HeartbeatIntervalSeconds"/> each node writes its heartbeat and
/// report; then one node at a time (the lease <see cref="Job"/>) removes the nodes whose heartbeat
/// is older than <see cref="ClusterOptions.NodeTimeoutSeconds"/>, with their presence entries and
/// the leave events those entries owe. So an entry of a node that died is gone within timeout plus
/// interval of the node's last heartbeat. A node that finds itself removed (it was cut off that
/// long) joins its subscriptions to presence again.
/// </summary>
internal static class ClusterHeartbeat
{
    /// <summary>The lease of the dead-node sweep.</summary>
    public const string Job = "herald.nodes";

    /// <summary>The Herald version a node reports.</summary>
    public static readonly string Version = typeof(ClusterHeartbeat).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion is { } version
        ? version.Split('+')[0]
        : typeof(ClusterHeartbeat).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static async Task RunAsync(Node node, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(node.Options.Cluster.HeartbeatIntervalSeconds), node.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RunOnceAsync(node, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    node.Logger.ClusterHeartbeatFailed(ex, node.Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One beat: the heartbeat, then the sweep when this node holds its lease.</summary>
    public static async Task RunOnceAsync(Node node, CancellationToken cancellationToken)
    {
        if (!await node.Membership.HeartbeatAsync(node.Report(), cancellationToken).ConfigureAwait(false))
        {
            await node.RejoinPresenceAsync().ConfigureAwait(false);
        }
        await RemoveDeadNodesAsync(node, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the nodes that missed their heartbeats for the timeout, unless another node sweeps right now.</summary>
    public static async Task RemoveDeadNodesAsync(Node node, CancellationToken cancellationToken)
    {
        var lease = await node.Membership.TryLeadAsync(Job, cancellationToken).ConfigureAwait(false);
        if (lease is null)
        {
            return;
        }
        await using (lease.ConfigureAwait(false))
        {
            var timeout = node.Options.Cluster.NodeTimeoutSeconds;
            foreach (var dead in await node.Membership.ListDeadNodesAsync(TimeSpan.FromSeconds(timeout), cancellationToken).ConfigureAwait(false))
            {
                if (dead == node.Name)
                {
                    // Its own heartbeat was just written: a clock that jumped, not a death.
                    continue;
                }
                var leaves = await node.RemoveNodePresenceAsync(dead, cancellationToken).ConfigureAwait(false);
                await node.Membership.RemoveNodeAsync(dead, cancellationToken).ConfigureAwait(false);
                node.Logger.NodeRemovedAsDead(dead, timeout, leaves);
            }
        }
    }
}
