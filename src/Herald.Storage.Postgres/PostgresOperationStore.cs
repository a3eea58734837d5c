using Herald.Core.Operations;
using Herald.Storage.Postgres.Internal;
using Herald.Storage.Postgres.Schema;
using Npgsql;

namespace Herald.Storage.Postgres;

/// <summary>
/// Operations in a PostgreSQL database shared by every node of a cluster through a
/// <see cref="PostgresDatabase"/>. They survive a restart, and every node sees the same ones.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fulfils the <see cref="IOperationStore"/> contract, checked by the shared compliance suite.</item>
/// <item>The schema enforces the create guarantees, whichever node writes: a partial unique index
/// allows one active operation per organisation, type and resource, another one operation per
/// organisation and idempotency key. <see cref="CreateAsync"/> is one statement that checks both
/// and inserts only when nothing is in the way; when another node commits a conflicting operation
/// first, the insert fails on the index and the statement runs again, answering with the winner.
/// So of two creates at once, on any nodes, exactly one succeeds.</item>
/// <item><see cref="TryUpdateAsync"/> is one conditional <c>UPDATE</c> on the version: of two
/// updates from the same version, the second waits for the first's row lock and then finds the
/// version changed. An update that would make a final operation active again while another is
/// active fails with the index's unique violation (the status machine never does that).</item>
/// <item>Every field round-trips exactly: JSON as its bytes (<c>bytea</c>), times to the 100 ns
/// tick (returned in UTC).</item>
/// <item>Each call is one statement on a pooled connection. Thread-safe. The caller owns the
/// database and disposes it after this store; disposing the store does not close it.</item>
/// </list>
/// </remarks>
public sealed class PostgresOperationStore : IOperationStore
{
    /// <summary>
    /// Runs of the create statement before giving up: each lost race means another operation in
    /// the way was committed, which the next run reads, so a second run is nearly always the last.
    /// </summary>
    private const int CreateAttempts = 8;

    private readonly PostgresDatabase _database;
    private volatile bool _disposed;

    /// <summary>A store on <paramref name="database"/>, which the caller owns and disposes after this store.</summary>
    public PostgresOperationStore(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>Creates or migrates the schema of every store on the database (see <see cref="PostgresDatabase.InitializeAsync"/>). Idempotent.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _database.InitializeAsync(cancellationToken);
    }

    public async ValueTask<CreateResult> CreateAsync(Operation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ThrowIfUnusable();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var create = _database.DataSource.CreateCommand(OperationsTable.CreateIfFree);
                OperationRows.Bind(create.Parameters, operation);
                await using var reader = await create.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return new CreateResult(operation, Created: true, SameIdempotencyKey: false);
                }
                var sameKey = reader.GetBoolean(0);
                return new CreateResult(OperationRows.Read(reader, first: 1), Created: false, SameIdempotencyKey: sameKey);
            }
            catch (PostgresException ex) when (attempt < CreateAttempts && IsLostCreateRace(ex))
            {
                // Another node committed an operation that is in the way; the next run reads it.
            }
        }
    }

    public async ValueTask<Operation?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ThrowIfUnusable();
        await using var select = _database.DataSource.CreateCommand(OperationsTable.SelectById);
        select.Parameters.AddText(id);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? OperationRows.Read(reader) : null;
    }

    /// <summary>An organisation's operations, newest first (by creation time, then id); a limit of 0 or less gives none.</summary>
    public async ValueTask<IReadOnlyList<Operation>> ListAsync(string orgId, string? resource, bool activeOnly, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orgId);
        ThrowIfUnusable();
        if (limit <= 0)
        {
            // PostgreSQL refuses a negative LIMIT.
            return [];
        }
        await using var select = _database.DataSource.CreateCommand(resource is null ? OperationsTable.ListByOrg : OperationsTable.ListByResource);
        select.Parameters.AddText(orgId);
        select.Parameters.AddBoolean(activeOnly);
        select.Parameters.AddInteger(limit);
        if (resource is not null)
        {
            select.Parameters.AddText(resource);
        }
        return await OperationRows.ReadAllAsync(select, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> TryUpdateAsync(Operation updated, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ThrowIfUnusable();
        await using var update = _database.DataSource.CreateCommand(OperationsTable.Update);
        OperationRows.Bind(update.Parameters, updated);
        update.Parameters.AddBigint(expectedVersion);
        return await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Pending or running operations not updated since <paramref name="updatedBefore"/>, least recently updated first.</summary>
    public async ValueTask<IReadOnlyList<Operation>> ListStaleAsync(DateTimeOffset updatedBefore, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        await using var select = _database.DataSource.CreateCommand(OperationsTable.SelectStale);
        select.Parameters.AddTime(updatedBefore);
        return await OperationRows.ReadAllAsync(select, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> RemoveFinishedAsync(DateTimeOffset completedBefore, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        await using var delete = _database.DataSource.CreateCommand(OperationsTable.DeleteFinished);
        delete.Parameters.AddTime(completedBefore);
        return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops this store: later calls throw <see cref="ObjectDisposedException"/>. The database stays open for its owner to dispose.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A unique violation on one of the indexes that <see cref="OperationsTable.CreateIfFree"/>
    /// checks first, so another transaction committed in between. A duplicate id is the caller's
    /// error and is not retried.
    /// </summary>
    private static bool IsLostCreateRace(PostgresException ex) =>
        ex.SqlState == PostgresErrorCodes.UniqueViolation
        && ex.ConstraintName is OperationsTable.OneActiveIndex or OperationsTable.IdempotencyIndex;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void ThrowIfUnusable()
    {
        ThrowIfDisposed();
        _database.ThrowIfNotInitialized();
    }
}
