using Herald.Core.Cluster;
using Herald.Core.Internal;

namespace Herald.Core.Notifications;

/// <summary>The background job that removes notifications past their retention, once an hour, on one node of the cluster at a time (the lease <see cref="Job"/>).</summary>
internal static class NotificationMaintenance
{
    /// <summary>The lease of this job.</summary>
    public const string Job = "herald.notifications";

    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    public static async Task RunAsync(Node node, INotificationStore store, CancellationToken cancellationToken)
    {
        var retention = TimeSpan.FromDays(node.Options.Notifications.RetentionDays);
        using var timer = new PeriodicTimer(Interval, node.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await node.Membership.RunAsLeaderAsync(Job, ct => store.RemoveOlderThanAsync(node.Time.GetUtcNow() - retention, ct).AsTask(), cancellationToken).ConfigureAwait(false);
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
