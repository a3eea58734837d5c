using Herald.Core.Internal;

namespace Herald.Core.Operations;

public sealed partial class OperationService
{
    /// <summary>Runs retention and stale checks every <see cref="OperationsOptions.MaintenanceIntervalSeconds"/>.</summary>
    private async Task RunMaintenanceAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.MaintenanceIntervalSeconds), Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await RunMaintenanceOnceAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _node.Logger.MaintenanceFailed(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Fails operations whose worker went silent, and removes finished ones past retention.</summary>
    public async Task RunMaintenanceOnceAsync(CancellationToken cancellationToken = default)
    {
        var now = Time.GetUtcNow();
        var stale = await _store.ListStaleAsync(now - TimeSpan.FromSeconds(_options.StaleAfterSeconds), cancellationToken).ConfigureAwait(false);
        foreach (var operation in stale)
        {
            if (_running.ContainsKey(operation.Id))
            {
                // An in-process handler is still at work (perhaps waiting for its resource): not stale.
                continue;
            }
            await UpdateAsync(operation.Id, new OperationUpdate(OperationStatus.Failed, null, null,
                $"no update from the worker for {_options.StaleAfterSeconds} seconds: timed out", default), OperationActor.ForApiKey("maintenance"), cancellationToken).ConfigureAwait(false);
        }
        await _store.RemoveFinishedAsync(now - TimeSpan.FromSeconds(_options.RetentionSeconds), cancellationToken).ConfigureAwait(false);
    }
}
