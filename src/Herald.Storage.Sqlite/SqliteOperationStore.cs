using Herald.Core.Operations;
using Herald.Storage.Sqlite.Internal;
using Herald.Storage.Sqlite.Schema;

namespace Herald.Storage.Sqlite;

/// <summary>
/// Operations in a SQLite file shared with the other stores through a <see cref="SqliteDatabase"/>.
/// They survive a restart.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fulfils the <see cref="IOperationStore"/> contract, checked by the shared compliance suite.</item>
/// <item><see cref="CreateAsync"/> runs its idempotency and duplicate checks and the insert in one
/// transaction that holds the write lock from its start; a unique partial index also forbids a
/// second active operation of the same organisation, type and resource, whoever writes the file.</item>
/// <item><see cref="TryUpdateAsync"/> is one conditional <c>UPDATE</c> on the version. An update
/// that would make a final operation active again while another is active fails with the index's
/// constraint error (the status machine never does that).</item>
/// <item>Every field round-trips exactly: JSON as its bytes, times to the 100 ns tick (returned in UTC).</item>
/// <item>Thread-safe; the database runs one call at a time. The caller owns the database and
/// disposes it after this store; disposing the store does not close it.</item>
/// </list>
/// </remarks>
public sealed class SqliteOperationStore : IOperationStore
{
    private readonly SqliteDatabase _database;
    private volatile bool _disposed;

    /// <summary>A store on <paramref name="database"/>, which the caller owns and disposes after this store.</summary>
    public SqliteOperationStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>Opens the database and migrates the schema of every store on it (see <see cref="SqliteDatabase.InitializeAsync"/>). Idempotent.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _database.InitializeAsync(cancellationToken);
    }

    public ValueTask<CreateResult> CreateAsync(Operation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ThrowIfDisposed();
        return _database.WriteAsync(operation, static async (unit, operation, ct) =>
        {
            if (operation.IdempotencyKey is { } key)
            {
                var byKey = unit.Command(OperationsTable.SelectByIdempotencyKey);
                byKey.Parameters.AddWithValue("$org_id", operation.OrgId);
                byKey.Parameters.AddWithValue("$idempotency_key", key);
                if (await OperationRows.ReadFirstAsync(byKey, ct).ConfigureAwait(false) is { } same)
                {
                    return new CreateResult(same, Created: false, SameIdempotencyKey: true);
                }
            }
            var active = unit.Command(OperationsTable.SelectActive);
            active.Parameters.AddWithValue("$org_id", operation.OrgId);
            active.Parameters.AddWithValue("$type", operation.Type);
            active.Parameters.AddWithValue("$resource", operation.Resource);
            if (await OperationRows.ReadFirstAsync(active, ct).ConfigureAwait(false) is { } blocking)
            {
                return new CreateResult(blocking, Created: false, SameIdempotencyKey: false);
            }
            var insert = unit.Command(OperationsTable.Insert);
            OperationRows.Bind(insert.Parameters, operation);
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return new CreateResult(operation, Created: true, SameIdempotencyKey: false);
        }, cancellationToken);
    }

    public ValueTask<Operation?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ThrowIfDisposed();
        return _database.ReadAsync(id, static (unit, id, ct) =>
        {
            var select = unit.Command(OperationsTable.SelectById);
            select.Parameters.AddWithValue("$id", id);
            return OperationRows.ReadFirstAsync(select, ct);
        }, cancellationToken);
    }

    /// <summary>An organisation's operations, newest first (by creation time, then id); a limit of 0 or less gives none.</summary>
    public ValueTask<IReadOnlyList<Operation>> ListAsync(string orgId, string? resource, bool activeOnly, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orgId);
        ThrowIfDisposed();
        if (limit <= 0)
        {
            // SQLite reads a negative LIMIT as no limit at all.
            return ValueTask.FromResult<IReadOnlyList<Operation>>([]);
        }
        return _database.ReadAsync((OrgId: orgId, Resource: resource, ActiveOnly: activeOnly, Limit: limit), static async (unit, q, ct) =>
        {
            var select = unit.Command(q.Resource is null ? OperationsTable.ListByOrg : OperationsTable.ListByResource);
            select.Parameters.AddWithValue("$org_id", q.OrgId);
            if (q.Resource is not null)
            {
                select.Parameters.AddWithValue("$resource", q.Resource);
            }
            select.Parameters.AddWithValue("$active_only", q.ActiveOnly ? 1 : 0);
            select.Parameters.AddWithValue("$limit", q.Limit);
            return (IReadOnlyList<Operation>)await OperationRows.ReadAllAsync(select, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public ValueTask<bool> TryUpdateAsync(Operation updated, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ThrowIfDisposed();
        return _database.WriteAsync((Updated: updated, ExpectedVersion: expectedVersion), static async (unit, s, ct) =>
        {
            var update = unit.Command(OperationsTable.Update);
            OperationRows.Bind(update.Parameters, s.Updated);
            update.Parameters.AddWithValue("$expected_version", s.ExpectedVersion);
            return await update.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancellationToken);
    }

    /// <summary>Pending or running operations not updated since <paramref name="updatedBefore"/>, least recently updated first.</summary>
    public ValueTask<IReadOnlyList<Operation>> ListStaleAsync(DateTimeOffset updatedBefore, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _database.ReadAsync(updatedBefore, static async (unit, updatedBefore, ct) =>
        {
            var select = unit.Command(OperationsTable.SelectStale);
            select.Parameters.AddWithValue("$updated_before", Columns.Time(updatedBefore));
            return (IReadOnlyList<Operation>)await OperationRows.ReadAllAsync(select, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public ValueTask<int> RemoveFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _database.ExecuteAsync(OperationsTable.DeleteFinished, completedBefore,
            static (parameters, completedBefore) => parameters.AddWithValue("$completed_before", Columns.Time(completedBefore)),
            cancellationToken);
    }

    /// <summary>Stops this store: later calls throw <see cref="ObjectDisposedException"/>. The database stays open for its owner to dispose.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
