namespace Herald.Core.Operations;

/// <summary>The outcome of <see cref="IOperationStore.CreateAsync"/>.</summary>
/// <param name="Operation">The stored operation: the new one, or the existing one that blocked it.</param>
/// <param name="Created">True when <paramref name="Operation"/> was created by this call.</param>
/// <param name="SameIdempotencyKey">True when an operation with the same idempotency key already existed (and is returned).</param>
public readonly record struct CreateResult(Operation Operation, bool Created, bool SameIdempotencyKey);

/// <summary>
/// Keeps operations and expires finished ones after their retention. Implementations: <see cref="MemoryOperationStore"/>, SQLite,
/// PostgreSQL. Checked by the compliance suite in tests/Herald.Specification.Tests.
/// </summary>
/// <remarks>
/// The contract:
/// <list type="bullet">
/// <item>Create is atomic with its checks: an operation with the same organisation and idempotency
/// key is returned instead; an active (pending or running) one of the same organisation, type and
/// resource blocks it and is returned. Two concurrent creates never both succeed.</item>
/// <item>Update is a compare-and-set on <see cref="Operation.Version"/>: it succeeds only when the
/// stored version is the one the caller read, and stores the new version.</item>
/// <item>Every field round-trips exactly, raw JSON bytes included.</item>
/// </list>
/// </remarks>
public interface IOperationStore : IAsyncDisposable
{
    Task InitializeAsync(CancellationToken cancellationToken);

    ValueTask<CreateResult> CreateAsync(Operation operation, CancellationToken cancellationToken);

    ValueTask<Operation?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>An organisation's operations, newest first; filtered by resource and to active ones on request.</summary>
    ValueTask<IReadOnlyList<Operation>> ListAsync(string orgId, string? resource, bool activeOnly, int limit, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="updated"/> when the stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    ValueTask<bool> TryUpdateAsync(Operation updated, long expectedVersion, CancellationToken cancellationToken);

    /// <summary>Running or pending operations not updated since <paramref name="updatedBefore"/>.</summary>
    ValueTask<IReadOnlyList<Operation>> ListStaleAsync(DateTimeOffset updatedBefore, CancellationToken cancellationToken);

    /// <summary>Removes final operations completed before <paramref name="completedBefore"/>; returns how many.</summary>
    ValueTask<int> RemoveFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken);
}
