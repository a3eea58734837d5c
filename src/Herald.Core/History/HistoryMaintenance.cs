using Herald.Core.Cluster;
using Herald.Core.Internal;

namespace Herald.Core.History;

/// <summary>The background job that removes expired history and idle streams, once a minute, on one node of the cluster at a time (the lease <see cref="Job"/>).</summary>
internal static class HistoryMaintenance
{
    /// <summary>How long a stream with no publications and no state keeps its epoch and offset.</summary>
    public static readonly TimeSpan StreamIdleTtl = TimeSpan.FromDays(1);

    /// <summary>The lease of this job.</summary>
    public const string Job = "herald.history";

    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    public static async Task RunAsync(Node node, IHistoryStore store, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, node.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await node.Membership.RunAsLeaderAsync(Job, ct => store.RemoveExpiredAsync(node.Time.GetUtcNow(), StreamIdleTtl, ct).AsTask(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    node.Logger.MaintenanceFailed(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
