using Herald.Core.Internal;

namespace Herald.Core.Operations;

public sealed partial class OperationService
{
    /// <summary>
    /// Runs an in-process handler in the background. It waits for its resource's lock (so two
    /// operations of one resource never run at once), marks the operation running, and records how
    /// the handler ended: completed, failed with the exception's message, or cancelled.
    /// </summary>
    private void StartHandler(IOperationHandler handler, Operation operation)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _running[operation.Id] = cancel;
        _tasks[operation.Id] = Task.Run(() => RunHandlerAsync(handler, operation, cancel));
    }

    private async Task RunHandlerAsync(IOperationHandler handler, Operation operation, CancellationTokenSource cancel)
    {
        var actor = OperationActor.ForApiKey("in-process");
        ResourceGates.Lease gate = default;
        try
        {
            gate = await _resourceGates.EnterAsync(operation.OrgId + "\n" + operation.Resource, cancel.Token).ConfigureAwait(false);
            var (started, error) = await UpdateAsync(operation.Id, new OperationUpdate(OperationStatus.Running, null, null, null, default), actor).ConfigureAwait(false);
            if (error is not null)
            {
                return;
            }
            var context = new OperationContext(this, started!);
            await handler.ExecuteAsync(context, cancel.Token).ConfigureAwait(false);
            await UpdateAsync(operation.Id, new OperationUpdate(OperationStatus.Completed, 100, null, null, context.Result), actor).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            var stopped = _stopping.IsCancellationRequested;
            await UpdateAsync(operation.Id, stopped
                ? new OperationUpdate(OperationStatus.Failed, null, null, "the server stopped while the operation ran", default)
                : new OperationUpdate(OperationStatus.Cancelled, null, "cancelled", null, default), actor).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _node.Logger.OperationHandlerFailed(ex, operation.Id, operation.Type);
            await UpdateAsync(operation.Id, new OperationUpdate(OperationStatus.Failed, null, null, ex.Message, default), actor).ConfigureAwait(false);
        }
        finally
        {
            gate.Dispose();
            _running.TryRemove(operation.Id, out _);
            _tasks.TryRemove(operation.Id, out _);
            cancel.Dispose();
        }
    }
}
