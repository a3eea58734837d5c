using Herald.Core.Internal;

namespace Herald.Core.Notifications;

/// <summary>The background job that removes notifications past their retention, once an hour.</summary>
internal static class NotificationMaintenance
{
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
                    await store.RemoveOlderThanAsync(node.Time.GetUtcNow() - retention, cancellationToken).ConfigureAwait(false);
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
