using Herald.Core.Cluster;
using Herald.Storage.Postgres.Internal;
using Herald.Storage.Postgres.Schema;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Storage.Postgres;

/// <summary>
/// The node registry of a cluster in a PostgreSQL database shared through a
/// <see cref="PostgresDatabase"/>: a row per node in <c>herald_nodes</c>, and job leases as
/// session-level advisory locks.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fulfils the <see cref="IClusterMembership"/> contract, checked by the shared compliance
/// suite. Heartbeats are stamped, and compared, with the database's clock.</item>
/// <item>A lease (<see cref="TryLeadAsync"/>) is a <c>pg_try_advisory_lock</c> held until the lease
/// is disposed, on the registry's one lease connection, opened on first use from
/// <see cref="PostgresDatabase.ListenConnectionString"/> (not pooled, reaching PostgreSQL
/// directly: a session lock does not survive a transaction-mode pooler) and kept. When the node
/// dies its connection drops and PostgreSQL releases its locks, within the connection's keepalive.
/// When the connection breaks under a live node, its leases are void (their locks are gone); the
/// next attempt opens a new one.</item>
/// <item>Thread-safe. The caller owns the database and disposes it after this registry; disposing
/// the registry closes the lease connection.</item>
/// </list>
/// </remarks>
public sealed class PostgresClusterMembership : IClusterMembership, IAsyncDisposable
{
    /// <summary>The first key of lease locks, "hrll"; the second is the job name's hash.</summary>
    private const string TryLock = "SELECT pg_try_advisory_lock(1752329324, hashtext($1));";

    private const string Unlock = "SELECT pg_advisory_unlock(1752329324, hashtext($1));";

    private readonly PostgresDatabase _database;
    private readonly SemaphoreSlim _leaseGate = new(1, 1);
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private NpgsqlConnection? _leaseConnection;
    private long _generation;
    private bool _disposed;

    /// <summary>A registry on <paramref name="database"/>, which the caller owns and disposes after this registry.</summary>
    public PostgresClusterMembership(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>Creates or migrates the schema of every store on the database (see <see cref="PostgresDatabase.InitializeAsync"/>).</summary>
    public Task StartAsync(string nodeName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        return _database.InitializeAsync(cancellationToken);
    }

    public async ValueTask<bool> HeartbeatAsync(NodeReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        _database.ThrowIfNotInitialized();
        await using var upsert = _database.DataSource.CreateCommand(NodesTable.Heartbeat);
        var p = upsert.Parameters;
        p.AddText(report.Name);
        p.AddText(report.Version);
        p.AddTime(report.StartedAt);
        p.AddBigint(report.Connections);
        p.AddBigint(report.Users);
        p.AddBigint(report.Channels);
        p.AddBigint(report.Subscriptions);
        p.AddBigint(report.MessagesIn);
        p.AddBigint(report.MessagesOut);
        p.AddBigint(report.Publications);
        p.AddBigint(report.Dropped);
        p.AddBigint(report.SlowConsumers);
        var inserted = (bool)(await upsert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return !inserted;
    }

    public async ValueTask<IReadOnlyList<NodeReport>> ListNodesAsync(CancellationToken cancellationToken)
    {
        _database.ThrowIfNotInitialized();
        await using var select = _database.DataSource.CreateCommand(NodesTable.SelectAll);
        var nodes = new List<NodeReport>();
        await using (var r = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                nodes.Add(new NodeReport
                {
                    Name = r.GetString(0),
                    Version = r.GetString(1),
                    StartedAt = Columns.ReadTime(r, 2),
                    LastSeen = new DateTimeOffset(r.GetFieldValue<DateTime>(3), TimeSpan.Zero),
                    Connections = r.GetInt64(4),
                    Users = r.GetInt64(5),
                    Channels = r.GetInt64(6),
                    Subscriptions = r.GetInt64(7),
                    MessagesIn = r.GetInt64(8),
                    MessagesOut = r.GetInt64(9),
                    Publications = r.GetInt64(10),
                    Dropped = r.GetInt64(11),
                    SlowConsumers = r.GetInt64(12),
                });
            }
        }
        nodes.Sort(static (x, y) => string.CompareOrdinal(x.Name, y.Name));
        return nodes;
    }

    public async ValueTask<IReadOnlyList<string>> ListDeadNodesAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        _database.ThrowIfNotInitialized();
        await using var select = _database.DataSource.CreateCommand(NodesTable.SelectDead);
        select.Parameters.Add(new NpgsqlParameter<TimeSpan> { NpgsqlDbType = NpgsqlDbType.Interval, TypedValue = olderThan });
        var names = new List<string>();
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(reader.GetString(0));
            }
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public async ValueTask RemoveNodeAsync(string nodeName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        _database.ThrowIfNotInitialized();
        await using var delete = _database.DataSource.CreateCommand(NodesTable.Delete);
        delete.Parameters.AddText(nodeName);
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IAsyncDisposable?> TryLeadAsync(string job, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        _database.ThrowIfNotInitialized();
        await _leaseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            // The session lock is reentrant: this node's own holder is refused here.
            if (_held.Contains(job))
            {
                return null;
            }
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _leaseConnection ??= await OpenLeaseConnectionAsync(cancellationToken).ConfigureAwait(false);
                    await using var command = new NpgsqlCommand(TryLock, _leaseConnection);
                    command.Parameters.AddText(job);
                    if (!(bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
                    {
                        return null;
                    }
                    _held.Add(job);
                    return new Lease(this, job, _generation);
                }
                catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
                {
                    // The connection broke (a restart, an idle timeout): its locks are gone with it.
                    await ResetLeaseConnectionAsync().ConfigureAwait(false);
                    if (attempt == 2)
                    {
                        throw;
                    }
                }
            }
        }
        finally
        {
            _leaseGate.Release();
        }
    }

    /// <summary>Closes the lease connection, which releases every lock this node holds.</summary>
    public async ValueTask DisposeAsync()
    {
        await _leaseGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            await ResetLeaseConnectionAsync().ConfigureAwait(false);
        }
        finally
        {
            _leaseGate.Release();
        }
    }

    private async Task<NpgsqlConnection> OpenLeaseConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_database.ListenConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Under the gate: drops the lease connection; the leases of the old one are void.</summary>
    private async Task ResetLeaseConnectionAsync()
    {
        _held.Clear();
        _generation++;
        if (_leaseConnection is { } connection)
        {
            _leaseConnection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask ReleaseAsync(string job, long generation)
    {
        await _leaseGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (generation != _generation || _leaseConnection is null)
            {
                // Its connection is gone, and the lock with it.
                return;
            }
            _held.Remove(job);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await using var command = new NpgsqlCommand(Unlock, _leaseConnection);
                command.Parameters.AddText(job);
                await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or OperationCanceledException or InvalidOperationException)
            {
                // Closing the connection releases the lock on the server.
                await ResetLeaseConnectionAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _leaseGate.Release();
        }
    }

    /// <summary>One held lock of the lease connection.</summary>
    private sealed class Lease(PostgresClusterMembership owner, string job, long generation) : IAsyncDisposable
    {
        private int _disposed;

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? owner.ReleaseAsync(job, generation) : ValueTask.CompletedTask;
    }
}
