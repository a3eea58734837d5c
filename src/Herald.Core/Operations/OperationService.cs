using System.Collections.Concurrent;
using System.Text.Json;
using Herald.Core.Auth;
using Herald.Core.Cluster;
using Herald.Core.Internal;
using Herald.Messages.Requests;
using Microsoft.Extensions.Logging;

namespace Herald.Core.Operations;

/// <summary>
/// Long-running operations: creation with duplicate prevention and idempotency, the
/// status machine, cancel and retry, publication of every change on the operation's channel and
/// its resource's channel (with the operation id as key, so a new subscriber gets the current
/// state at once), retention, stale time-outs, and in-process handlers. Across a cluster the store
/// keeps duplicate prevention and idempotency; an in-process handler runs on the node that created
/// its operation, once; a cancel on any node reaches it (by a <see cref="ClusterSignals"/> signal);
/// retention and stale checks run on one node at a time. Thread-safe.
/// </summary>
public sealed partial class OperationService : IAsyncDisposable
{
    private readonly Node _node;
    private readonly IOperationStore _store;
    private readonly OperationsOptions _options;
    private readonly Dictionary<string, IOperationHandler> _handlers;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly ResourceGates _resourceGates = new();
    private readonly ConcurrentDictionary<string, Task> _tasks = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly IDisposable _cancelSignal;
    private Task _maintenance = Task.CompletedTask;

    /// <summary>The signal that asks every node to cancel an in-process handler it runs: <c>{"id":…}</c>.</summary>
    internal const string CancelSignal = "operation.cancel";

    public OperationService(Node node, IOperationStore store, OperationsOptions options, IEnumerable<IOperationHandler> handlers)
    {
        _node = node;
        _store = store;
        _options = options;
        _handlers = handlers.ToDictionary(h => h.Type, StringComparer.Ordinal);
        _cancelSignal = node.Signals.On(CancelSignal, OnCancelSignal);
    }

    private TimeProvider Time => _node.Time;

    /// <summary>How many resources have an in-process handler running or waiting now.</summary>
    internal int ResourceGateCount => _resourceGates.Count;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _maintenance = RunMaintenanceAsync(_stopping.Token);
    }

    /// <summary>Creates an operation (202), or returns the one with the same idempotency key, or a 409 with the active one.</summary>
    public async ValueTask<(Operation? Operation, bool Created, OperationError? Error)> CreateAsync(OperationRequest request, OperationActor actor, CancellationToken cancellationToken = default)
    {
        if (ValidateType(request.Type) is { } typeError)
        {
            return (null, false, typeError);
        }
        if (_node.Namespaces.Resolve(request.Resource, _node.Options.Limits.MaxChannelNameLength, out var resource, out var options) is { } channelError)
        {
            return (null, false, OperationError.BadRequest($"'resource' must be a channel name: {channelError.Message}"));
        }
        string orgId;
        if (actor.User is { } user)
        {
            if (!ChannelAuthorizer.CanRead(user, resource, options))
            {
                return (null, false, new OperationError(OperationErrorKind.Forbidden, $"permission denied for resource '{resource.Value}'"));
            }
            orgId = user.OrgId;
        }
        else if (options.Scope == Channels.ChannelScope.Org)
        {
            orgId = resource.FirstSegment.ToString();
        }
        else if (!string.IsNullOrEmpty(request.OrgId))
        {
            orgId = request.OrgId;
        }
        else
        {
            return (null, false, OperationError.BadRequest("'org' is required when the resource is not in an organisation's namespace"));
        }
        if (request.Parameters.Length > _options.MaxParametersBytes)
        {
            return (null, false, OperationError.BadRequest($"'parameters' is larger than {_options.MaxParametersBytes} bytes"));
        }
        if (request.IdempotencyKey is { Length: > 256 })
        {
            return (null, false, OperationError.BadRequest("'idempotencyKey' is longer than 256 characters"));
        }
        var now = Time.GetUtcNow();
        var operation = new Operation
        {
            Id = Operation.NewId(),
            OrgId = orgId,
            Type = request.Type!,
            Resource = resource.Value,
            Status = OperationStatus.Pending,
            Parameters = request.Parameters,
            CreatedBy = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
            IdempotencyKey = request.IdempotencyKey,
            Version = 1,
        };
        return await CreateCoreAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<(Operation?, bool, OperationError?)> CreateCoreAsync(Operation operation, CancellationToken cancellationToken)
    {
        var result = await _store.CreateAsync(operation, cancellationToken).ConfigureAwait(false);
        if (result.SameIdempotencyKey)
        {
            return (result.Operation, false, null);
        }
        if (!result.Created)
        {
            return (null, false, OperationError.Conflict(
                $"an operation of type '{operation.Type}' is already {result.Operation.Status.ToWire()} on '{operation.Resource}'", result.Operation.Id));
        }
        await PublishAsync(result.Operation, "operation.created").ConfigureAwait(false);
        if (_handlers.TryGetValue(operation.Type, out var handler))
        {
            StartHandler(handler, result.Operation);
        }
        return (result.Operation, true, null);
    }

    /// <summary>Reads an operation; other organisations get not found.</summary>
    public async ValueTask<(Operation? Operation, OperationError? Error)> GetAsync(string id, OperationActor actor, CancellationToken cancellationToken = default)
    {
        var operation = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        return operation is null || !actor.CanSee(operation.OrgId) ? (null, OperationError.NotFound(id)) : (operation, null);
    }

    /// <summary>Lists an organisation's operations, optionally of one resource and only the active ones.</summary>
    public ValueTask<IReadOnlyList<Operation>> ListAsync(string orgId, string? resource, bool activeOnly, int limit, CancellationToken cancellationToken = default) =>
        _store.ListAsync(orgId, resource, activeOnly, limit, cancellationToken);

    /// <summary>Applies a worker's update, enforcing the status machine and monotonic progress.</summary>
    public async ValueTask<(Operation? Operation, OperationError? Error)> UpdateAsync(string id, OperationUpdate update, OperationActor actor, CancellationToken cancellationToken = default)
    {
        if (update.Progress is < 0 or > 100)
        {
            return (null, OperationError.BadRequest("'progress' must be between 0 and 100"));
        }
        if (update.Result.Length > _options.MaxResultBytes)
        {
            return (null, OperationError.BadRequest($"'result' is larger than {_options.MaxResultBytes} bytes"));
        }
        if (update.Message is { Length: > 4096 } || update.Error is { Length: > 4096 })
        {
            return (null, OperationError.BadRequest("'message' and 'error' may be at most 4096 characters"));
        }
        return await MutateAsync(id, actor, current =>
        {
            if (current.Status.IsFinal())
            {
                return (null, OperationError.Conflict($"operation is already {current.Status.ToWire()}: a final status cannot change"));
            }
            var status = update.Status ?? current.Status;
            if (status == OperationStatus.Pending && current.Status == OperationStatus.Running)
            {
                return (null, OperationError.Conflict("a running operation cannot go back to pending"));
            }
            if (update.Progress is { } p && p < current.Progress)
            {
                return (null, OperationError.Conflict($"progress cannot go back from {current.Progress} to {p}"));
            }
            var now = Time.GetUtcNow();
            var next = current with
            {
                Status = status,
                Progress = status == OperationStatus.Completed ? 100 : update.Progress ?? current.Progress,
                Message = update.Message ?? current.Message,
                Error = update.Error ?? current.Error,
                Result = update.Result.IsEmpty ? current.Result : update.Result,
                UpdatedAt = now,
                CompletedAt = status.IsFinal() ? now : null,
            };
            return (next, null);
        }, next => next.Status switch
        {
            OperationStatus.Completed => "operation.completed",
            OperationStatus.Failed => "operation.failed",
            OperationStatus.Cancelled => "operation.cancelled",
            _ => "operation.progress",
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks to cancel: the operation shows the request, the worker (or in-process handler) is told.</summary>
    public async ValueTask<(Operation? Operation, OperationError? Error)> CancelAsync(string id, OperationActor actor, CancellationToken cancellationToken = default)
    {
        var (operation, error) = await MutateAsync(id, actor, current => current.Status.IsFinal()
            ? (null, OperationError.Conflict($"operation is already {current.Status.ToWire()}"))
            : (current with { CancelRequested = true, UpdatedAt = Time.GetUtcNow() }, null),
            _ => "operation.cancel_requested", cancellationToken).ConfigureAwait(false);
        if (operation is not null && !await TryCancelRunningAsync(id).ConfigureAwait(false))
        {
            // Its in-process handler, if it has one, runs on another node.
            try
            {
                await _node.Signals.SendAsync(CancelSignal, SignalData.Write(("id", id)), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The operation shows the request: a worker sees it, and a stale check ends the rest.
                _node.Logger.ClusterSignalSendFailed(ex, CancelSignal);
            }
        }
        return (operation, error);
    }

    /// <summary>Cancels the operation's in-process handler when it runs on this node; false when it does not.</summary>
    private async Task<bool> TryCancelRunningAsync(string id)
    {
        if (!_running.TryGetValue(id, out var running))
        {
            return false;
        }
        try
        {
            await running.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The handler ended meanwhile.
        }
        return true;
    }

    private void OnCancelSignal(ClusterSignal signal)
    {
        if (signal.From != _node.Name && SignalData.Read(signal.Data, "id") is { } id)
        {
            _ = TryCancelRunningAsync(id);
        }
    }

    /// <summary>Retries a failed operation as a new one: attempt + 1, linked by <see cref="Operation.RetryOf"/>.</summary>
    public async ValueTask<(Operation? Operation, OperationError? Error)> RetryAsync(string id, OperationActor actor, CancellationToken cancellationToken = default)
    {
        var (failed, error) = await GetAsync(id, actor, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, error);
        }
        if (failed!.Status != OperationStatus.Failed)
        {
            return (null, OperationError.Conflict($"only a failed operation can be retried; this one is {failed.Status.ToWire()}"));
        }
        var now = Time.GetUtcNow();
        var retry = failed with
        {
            Id = Operation.NewId(),
            Status = OperationStatus.Pending,
            Progress = 0,
            Message = null,
            Error = null,
            Result = default,
            CreatedBy = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
            CompletedAt = null,
            Attempt = failed.Attempt + 1,
            RetryOf = failed.Id,
            IdempotencyKey = null,
            CancelRequested = false,
            Version = 1,
        };
        var (operation, _, createError) = await CreateCoreAsync(retry, cancellationToken).ConfigureAwait(false);
        return (operation, createError);
    }

    private async ValueTask<(Operation?, OperationError?)> MutateAsync(string id, OperationActor actor,
        Func<Operation, (Operation? Next, OperationError? Error)> change, Func<Operation, string> eventType, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await _store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is null || !actor.CanSee(current.OrgId))
            {
                return (null, OperationError.NotFound(id));
            }
            var (next, error) = change(current);
            if (error is not null)
            {
                return (null, error);
            }
            next = next! with { Version = current.Version + 1 };
            if (await _store.TryUpdateAsync(next, current.Version, cancellationToken).ConfigureAwait(false))
            {
                await PublishAsync(next, eventType(next)).ConfigureAwait(false);
                return (next, null);
            }
            // Someone else changed it in between: read again and re-check the rules.
        }
    }

    /// <summary>Publishes the full state on the operation's channel and on its resource's channel.</summary>
    private async Task PublishAsync(Operation operation, string type)
    {
        var data = OperationJson.Serialize(operation);
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["status"] = operation.Status.ToWire(),
            ["operation_type"] = operation.Type,
        };
        foreach (var channel in new[] { operation.Channel, operation.Resource })
        {
            var (_, error) = await _node.PublishAsync(new PublishRequest(channel, type, data, tags, operation.Id)).ConfigureAwait(false);
            if (error is { } e)
            {
                _node.Logger.OperationPublishFailed(operation.Id, channel, e.Message);
            }
        }
    }

    private static OperationError? ValidateType(string? type) => Internal.TypeNameRule.Check(type) switch
    {
        Internal.TypeNameProblem.None => null,
        Internal.TypeNameProblem.Missing => OperationError.BadRequest("'type' is required"),
        _ => OperationError.BadRequest($"'type' must be 1-{Node.MaxTypeLength} characters of A-Z, a-z, 0-9 and _ . - :"),
    };

    public async ValueTask DisposeAsync()
    {
        _cancelSignal.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var running in _running.Values)
        {
            await running.CancelAsync().ConfigureAwait(false);
        }
        try
        {
            await Task.WhenAll(_tasks.Values.Append(_maintenance)).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }
        await _store.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
