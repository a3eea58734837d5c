using Herald.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite;

/// <summary>
/// One SQLite file and its one connection, shared by every SQLite store of a server: history
/// (<see cref="SqliteHistoryStore"/>), operations (<see cref="SqliteOperationStore"/>) and
/// notifications (<see cref="SqliteNotificationStore"/>). SQLite has one writer per file anyway;
/// one connection behind one gate makes that explicit and keeps the stores from waiting on each
/// other's locks.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Ownership.</b> Whoever creates the database disposes it, once, after the stores that use
/// it. Stores never dispose a database they were given (disposing a store only stops that store);
/// the one exception is <see cref="SqliteHistoryStore(string, TimeProvider?)"/>, which creates and
/// therefore owns a private database. Registered as a singleton in a DI container, the database is
/// created before the stores that depend on it and so disposed after them.</item>
/// <item><b>Schema.</b> <see cref="InitializeAsync"/> opens the file (WAL, <c>synchronous=NORMAL</c>)
/// and runs every migration of every store, in one ordered list recorded in
/// <c>PRAGMA user_version</c>. It is idempotent and may be called by every store: the first call
/// does the work, later calls await the same task (a failed or cancelled attempt is retried by the
/// next call).</item>
/// <item><b>Unclean shutdown.</b> With <c>synchronous=NORMAL</c> a power loss (not a process crash)
/// can drop the last commits, so offsets handed out before it could be handed out again. The
/// database therefore records, durably, that it is open, and clears the record when it is disposed.
/// The record carries the kernel's boot id. When <see cref="InitializeAsync"/> finds the record of a
/// run that never closed and the system has booted since (or the boot cannot be told), every
/// channel stream gets a fresh epoch before anything else reads the file: subscribers are told to
/// refetch instead of trusting positions that may have been reused. Offsets keep increasing from
/// what the file holds. Within the same boot (a killed or crashed process) nothing was lost and
/// every epoch is kept. See <see cref="PreviousShutdownWasUnclean"/> and <see cref="EpochsRenewed"/>.</item>
/// <item><b>Concurrency.</b> Thread-safe. Every unit of work of every store runs in its own
/// transaction, one at a time; a call waiting its turn can be cancelled. Only one process may use a
/// file at a time: a second process opening it would take the first one's open record for an
/// unclean shutdown.</item>
/// </list>
/// </remarks>
public sealed partial class SqliteDatabase : IAsyncDisposable
{
    /// <summary>How long a statement waits for a lock held by another connection on the same file.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _initializationLock = new();
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private Task? _initialization;
    private SqliteConnection? _connection;
    private volatile bool _disposed;

    /// <summary>A database on the file at <paramref name="path"/>, created with its directory by <see cref="InitializeAsync"/> when missing.</summary>
    public SqliteDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
    }

    /// <summary>The database file, as given.</summary>
    public string Path { get; }

    /// <summary>
    /// True when <see cref="InitializeAsync"/> found that the previous run did not close the file
    /// cleanly (a process crash, an operating-system crash or a power loss).
    /// </summary>
    public bool PreviousShutdownWasUnclean { get; private set; }

    /// <summary>
    /// True when the unclean shutdown may have lost commits, so every stream got a new epoch: the
    /// system has booted since (or the boot cannot be told). False after a process crash within the
    /// same boot, which loses nothing: positions are kept and clients recover from them.
    /// </summary>
    public bool EpochsRenewed { get; private set; }

    /// <summary>
    /// Opens the file and creates or migrates the schema of every store, then handles an unclean
    /// previous shutdown. Idempotent: concurrent and later calls share the first call's work.
    /// Throws <see cref="InvalidOperationException"/> naming the file when it cannot be opened, is
    /// not a SQLite database, or was written by a newer schema.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Task initialization;
        lock (_initializationLock)
        {
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                _initialization = OpenAsync(cancellationToken);
            }
            initialization = _initialization;
        }
        return initialization.WaitAsync(cancellationToken);
    }

    /// <summary>The write probe of readiness after a storage fault: store the probe row, then delete it.</summary>
    private static readonly string[] ProbeStatements = [Schema.MetaTable.Probe, Schema.MetaTable.Delete];

    /// <summary>
    /// True when the database is open and answers a query, and, after a write failed on a storage
    /// fault (a full disk, a read-only file), when it takes a write again; false otherwise, never
    /// throws for a database error.
    /// </summary>
    public async ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_disposed || _connection is null)
            {
                return false;
            }
            if (_fault is null)
            {
                var ping = Command("SELECT 1;", null);
                return await ping.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is 1L;
            }
            // After a storage fault the file must take writes again. A write of a few bytes proves
            // little (the failed writes left room for it at the end of the write-ahead log), so the
            // probe stores a row of 256 KiB, committed, and removes it again.
            foreach (var sql in ProbeStatements)
            {
                using var transaction = Connection.BeginTransaction(deferred: false);
                var probe = Command(sql, transaction);
                probe.Parameters.AddWithValue("$key", Schema.MetaTable.ProbeKey);
                await probe.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                transaction.Commit();
            }
            _fault = null;
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Waits for the unit of work in progress, records the clean shutdown and closes the file.
    /// Later calls of any store on this database throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (var command in _commands.Values)
            {
                await command.DisposeAsync().ConfigureAwait(false);
            }
            _commands.Clear();
            if (_connection is not null)
            {
                await CloseCleanlyAsync(_connection).ConfigureAwait(false);
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteConnection Connection
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _connection ?? throw new InvalidOperationException(
                $"{nameof(SqliteDatabase)}.{nameof(InitializeAsync)} (or the InitializeAsync of a store using it) must run before the database is used.");
        }
    }
}
