using Herald.Storage.Postgres.Schema;
using Npgsql;

namespace Herald.Storage.Postgres;

/// <summary>
/// One PostgreSQL database shared by every node of a cluster and by every PostgreSQL store of a
/// node: channel streams (<see cref="PostgresHistoryStore"/>, delivered between nodes by
/// <see cref="PostgresBroker"/>), operations, notifications, presence and the node registry.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Connections.</b> Statements run on a pooled <see cref="NpgsqlDataSource"/> built from
/// the connection string; each call takes a connection for one statement or one transaction and
/// gives it back, so the pool may sit behind PgBouncer in transaction mode. Only the broker's
/// LISTEN holds a connection of its own, opened from <see cref="ListenConnectionString"/>, which
/// must reach PostgreSQL directly (or through PgBouncer in session mode).</item>
/// <item><b>Schema.</b> <see cref="InitializeAsync"/> creates or migrates every table (one per file
/// under <c>Schema/</c>, all named <c>herald_…</c>) in one transaction under a transaction-scoped
/// advisory lock, so nodes that start at the same moment migrate once, one after the other. The
/// applied versions are rows of <c>herald_schema</c>. A database written by a newer schema is
/// refused rather than migrated backwards.</item>
/// <item><b>Ownership.</b> Whoever creates the database disposes it, after the stores that use it.
/// Thread-safe.</item>
/// </list>
/// </remarks>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly Lock _initializationLock = new();
    private Task? _initialization;
    private volatile bool _disposed;

    /// <param name="connectionString">An Npgsql connection string for the pooled statements.</param>
    /// <param name="listenConnectionString">The connection string of the broker's LISTEN connection; the same as <paramref name="connectionString"/> when null.</param>
    /// <exception cref="ArgumentException">A connection string Npgsql cannot parse.</exception>
    public PostgresDatabase(string connectionString, string? listenConnectionString = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Names the node's connections in pg_stat_activity unless the operator chose a name.
        builder.ConnectionStringBuilder.ApplicationName ??= "herald";
        DataSource = builder.Build();
        var listen = new NpgsqlConnectionStringBuilder(string.IsNullOrWhiteSpace(listenConnectionString) ? connectionString : listenConnectionString)
        {
            // One connection that lives as long as the node: no pool, and keepalives so a dead peer is noticed.
            Pooling = false,
            KeepAlive = Math.Max(new NpgsqlConnectionStringBuilder(connectionString).KeepAlive, 10),
        };
        listen.ApplicationName ??= "herald-listen";
        ListenConnectionString = listen.ConnectionString;
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        Target = $"{target.Host}:{target.Port}/{target.Database ?? target.Username}";
    }

    /// <summary>The pool every store and the broker run their statements on.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The connection string of the broker's dedicated LISTEN connection (no pooling).</summary>
    public string ListenConnectionString { get; }

    /// <summary>Host, port and database, for messages and logs; never the password.</summary>
    public string Target { get; }

    /// <summary>
    /// Creates or migrates the schema. Idempotent: concurrent and later calls share the first
    /// call's work (a failed or cancelled attempt is retried by the next call). Throws
    /// <see cref="InvalidOperationException"/> naming the server when it cannot be reached or the
    /// schema is newer than this version of Herald.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_initializationLock)
        {
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                _initialization = MigrateAsync(cancellationToken);
            }
            return _initialization;
        }
    }

    /// <summary>Throws unless <see cref="InitializeAsync"/> has completed.</summary>
    internal void ThrowIfNotInitialized()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_initialization is not { IsCompletedSuccessfully: true })
        {
            throw new InvalidOperationException($"The PostgreSQL database is not initialized: call {nameof(InitializeAsync)} first.");
        }
    }

    /// <summary>True when the server answers a query within the call's token.</summary>
    public async ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        if (_disposed || _initialization is not { IsCompletedSuccessfully: true })
        {
            return false;
        }
        try
        {
            await using var command = DataSource.CreateCommand("SELECT 1");
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is 1;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await DataSource.DisposeAsync().ConfigureAwait(false);
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, SchemaMigrations.Lock, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, SchemaMigrations.CreateVersionTable, cancellationToken).ConfigureAwait(false);
            await using var read = new NpgsqlCommand(SchemaMigrations.ReadVersion, connection);
            var current = (int)(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (current > SchemaMigrations.Latest)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL database {Target} has Herald schema version {current}, newer than this version of Herald ({SchemaMigrations.Latest}); upgrade Herald instead of migrating the database back.");
            }
            foreach (var migration in SchemaMigrations.All.Where(m => m.Version > current))
            {
                foreach (var statement in migration.Statements)
                {
                    await ExecuteAsync(connection, statement, cancellationToken).ConfigureAwait(false);
                }
                await using var record = new NpgsqlCommand(SchemaMigrations.RecordVersion, connection);
                record.Parameters.AddWithValue(migration.Version);
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"PostgreSQL at {Target} (Herald:Storage:PostgresConnectionString) cannot be used: {ex.Message}", ex);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
