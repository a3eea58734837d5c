namespace Herald.Core.Operations;

/// <summary>Operations in process memory, lost on restart. Thread-safe: one lock guards the whole store.</summary>
public sealed class MemoryOperationStore : IOperationStore
{
    private readonly Dictionary<string, Operation> _operations = new(StringComparer.Ordinal);

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask<CreateResult> CreateAsync(Operation operation, CancellationToken cancellationToken)
    {
        lock (_operations)
        {
            if (operation.IdempotencyKey is { } key
                && _operations.Values.FirstOrDefault(o => o.OrgId == operation.OrgId && o.IdempotencyKey == key) is { } same)
            {
                return ValueTask.FromResult(new CreateResult(same, false, true));
            }
            if (_operations.Values.FirstOrDefault(o => o.OrgId == operation.OrgId && o.Type == operation.Type
                && o.Resource == operation.Resource && !o.Status.IsFinal()) is { } active)
            {
                return ValueTask.FromResult(new CreateResult(active, false, false));
            }
            _operations.Add(operation.Id, operation);
            return ValueTask.FromResult(new CreateResult(operation, true, false));
        }
    }

    public ValueTask<Operation?> GetAsync(string id, CancellationToken cancellationToken)
    {
        lock (_operations)
        {
            return ValueTask.FromResult(_operations.GetValueOrDefault(id));
        }
    }

    public ValueTask<IReadOnlyList<Operation>> ListAsync(string orgId, string? resource, bool activeOnly, int limit, CancellationToken cancellationToken)
    {
        lock (_operations)
        {
            IReadOnlyList<Operation> result = _operations.Values
                .Where(o => o.OrgId == orgId && (resource is null || o.Resource == resource) && (!activeOnly || !o.Status.IsFinal()))
                .OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id, StringComparer.Ordinal)
                .Take(limit)
                .ToList();
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<bool> TryUpdateAsync(Operation updated, long expectedVersion, CancellationToken cancellationToken)
    {
        lock (_operations)
        {
            if (!_operations.TryGetValue(updated.Id, out var current) || current.Version != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }
            _operations[updated.Id] = updated;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<IReadOnlyList<Operation>> ListStaleAsync(DateTimeOffset updatedBefore, CancellationToken cancellationToken)
    {
        lock (_operations)
        {
            IReadOnlyList<Operation> result = _operations.Values.Where(o => !o.Status.IsFinal() && o.UpdatedAt < updatedBefore).ToList();
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<int> RemoveFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken)
    {
        lock (_operations)
        {
            var old = _operations.Values.Where(o => o.Status.IsFinal() && o.CompletedAt < completedBefore).Select(o => o.Id).ToList();
            foreach (var id in old)
            {
                _operations.Remove(id);
            }
            return ValueTask.FromResult(old.Count);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
