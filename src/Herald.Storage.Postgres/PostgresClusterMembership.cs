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
/// <item>A lease (<see cref="TryLeadAsync"/>) is <c>pg_try_advisory_lock</c> on a connection of its
/// own, opened from <see cref="PostgresDatabase.ListenConnectionString"/> (not pooled, reaching
/// PostgreSQL directly: a session lock does not survive a transaction-mode pooler), and held until
/// the lease is disposed. When the holder dies its connection drops and PostgreSQL releases the
/// lock, within the connection's keepalive.</item>
/// <item>Thread-safe. The caller owns the database and disposes it after this registry.</item>
/// </list>
/// </remarks>
public sealed class PostgresClusterMembership : IClusterMembership
{
    /// <summary>The first key of lease locks, "hrll"; the second is the job name's hash.</summary>
    private const string TryLock = "SELECT pg_try_advisory_lock(1752329324, hashtext($1));";

    private const string Unlock = "SELECT pg_advisory_unlock(1752329324, hashtext($1));";

    private readonly PostgresDatabase _database;

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
        var connection = new NpgsqlConnection(_database.ListenConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(TryLock, connection);
            command.Parameters.AddText(job);
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                var lease = new Lease(connection, job);
                connection = null;
                return lease;
            }
            return null;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>A held lock and its connection; disposing unlocks and closes (closing alone would release it too).</summary>
    private sealed class Lease(NpgsqlConnection connection, string job) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await using var command = new NpgsqlCommand(Unlock, connection);
                command.Parameters.AddText(job);
                await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException or TimeoutException)
            {
                // The connection is gone or stuck: closing it below releases the lock on the server.
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
