using Herald.Core.Cluster;
using Herald.Core.Internal;

namespace Herald.Core.Operations;

public sealed partial class OperationService
{
    /// <summary>The lease of the retention and stale checks.</summary>
    internal const string MaintenanceJob = "herald.operations";

    /// <summary>
    /// Every <see cref="OperationsOptions.MaintenanceIntervalSeconds"/>: keeps this node's in-process
    /// operations from looking stale, then runs retention and stale checks when this node holds
    /// the lease <see cref="MaintenanceJob"/> (one node of the cluster at a time).
    /// </summary>
    private async Task RunMaintenanceAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.MaintenanceIntervalSeconds), Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    await KeepRunningFreshAsync(cancellationToken).ConfigureAwait(false);
                    await _node.Membership.RunAsLeaderAsync(MaintenanceJob, RunMaintenanceOnceAsync, cancellationToken).ConfigureAwait(false);
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
                // An in-process handler is still at work here (perhaps waiting for its resource): not
                // stale. One on another node keeps its operation fresh itself (KeepRunningFreshAsync).
                continue;
            }
            await UpdateAsync(operation.Id, new OperationUpdate(OperationStatus.Failed, null, null,
                $"no update from the worker for {_options.StaleAfterSeconds} seconds: timed out", default), OperationActor.ForApiKey("maintenance"), cancellationToken).ConfigureAwait(false);
        }
        await _store.RemoveFinishedAsync(now - TimeSpan.FromSeconds(_options.RetentionSeconds), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Touches this node's in-process operations that went half their stale time without an
    /// update (a handler waiting for its resource, or one that reports no progress), so that the
    /// node running the stale checks, maybe another one, does not fail them while they run. Not
    /// published: nothing a subscriber sees changed. An operation whose node died is no longer
    /// touched and times out as usual.
    /// </summary>
    internal async Task KeepRunningFreshAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var before = now - TimeSpan.FromSeconds(_options.StaleAfterSeconds / 2.0);
        foreach (var id in _running.Keys)
        {
            var current = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is { } operation && !operation.Status.IsFinal() && operation.UpdatedAt < before)
            {
                // Lost to a concurrent update: that one refreshed it.
                await _store.TryUpdateAsync(operation with { UpdatedAt = now, Version = operation.Version + 1 }, operation.Version, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
