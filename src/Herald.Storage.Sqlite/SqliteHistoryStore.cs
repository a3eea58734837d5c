using Herald.Core;
using Herald.Core.History;
using Herald.Storage.Sqlite.Internal;
using Herald.Storage.Sqlite.Schema;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite;

/// <summary>
/// Channel history in one SQLite file: the standalone server's default store. It survives a
/// restart with the same epochs, offsets, publications and latest state, so clients recover across
/// it instead of being told to refetch.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fulfils the <see cref="IHistoryStore"/> contract, checked by the shared compliance suite.</item>
/// <item>Every append is one transaction: the offset, the publication, the trim and the state update
/// are stored together or not at all, and committed before the placed publication is returned.</item>
/// <item>Thread-safe. One connection serves every call, one call at a time (SQLite has one writer
/// anyway); a call waiting its turn can be cancelled.</item>
/// <item>The schema is created or migrated by <see cref="InitializeAsync"/>, which must run before
/// any other call; the file is opened in WAL mode with <c>synchronous=NORMAL</c>: a commit survives
/// a crash of the process, while a power loss can drop the last commits (never corrupt the file).</item>
/// <item>Time (expiry, idle streams) comes from the <see cref="TimeProvider"/> given.</item>
/// </list>
/// </remarks>
public sealed partial class SqliteHistoryStore : IHistoryStore
{
    /// <summary>How long a call waits for a lock held by another process on the same file.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Expired publications removed per transaction by <see cref="RemoveExpiredAsync"/>.</summary>
    private const int ExpiryBatch = 1000;

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private SqliteConnection? _connection;
    private bool _disposed;

    /// <summary>A store on the SQLite file at <paramref name="path"/>, created with its directory when missing.</summary>
    /// <param name="path">The database file. Several stores must not share one file at a time.</param>
    /// <param name="time">The clock for expiry; the system clock when null.</param>
    public SqliteHistoryStore(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = path;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Opens the file and creates or migrates the schema. Idempotent. Throws
    /// <see cref="InvalidOperationException"/> naming the file when it cannot be opened, is not a
    /// SQLite database, or was written by a newer schema.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is not null)
            {
                return;
            }
            var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            _connection = connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<Publication> AppendAsync(Publication publication, HistoryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ArgumentNullException.ThrowIfNull(options);
        var channel = publication.Channel;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Connection;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            using var transaction = connection.BeginTransaction(deferred: false);

            long offset;
            string epoch;
            var advance = Command(StreamsTable.Advance, transaction);
            advance.Parameters.AddWithValue("$channel", channel);
            advance.Parameters.AddWithValue("$epoch", StreamPosition.NewEpoch());
            advance.Parameters.AddWithValue("$now", now);
            using (var reader = await advance.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                offset = reader.GetInt64(0);
                epoch = reader.GetString(1);
            }
            var placed = publication.At(offset, epoch);
            var data = PublicationRows.Blob(placed.Data);
            var tags = PublicationRows.WriteTags(placed.Tags);

            if (options.Size > 0)
            {
                var insert = Command(PublicationsTable.Insert, transaction);
                AddPublication(insert, placed, data, tags);
                insert.Parameters.AddWithValue("$expires_at", ExpiresAt(now, options.Ttl));
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            // Also when the size is 0: rows kept under a larger size before a restart go too.
            var trim = Command(PublicationsTable.Trim, transaction);
            trim.Parameters.AddWithValue("$channel", channel);
            trim.Parameters.AddWithValue("$size", Math.Max(0, options.Size));
            await trim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            if (options.KeepState && placed.Key is not null)
            {
                var upsert = Command(StateTable.Upsert, transaction);
                AddPublication(upsert, placed, data, tags);
                await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                var evict = Command(StateTable.Evict, transaction);
                evict.Parameters.AddWithValue("$channel", channel);
                evict.Parameters.AddWithValue("$max", Math.Max(0, options.MaxStateKeys));
                await evict.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            transaction.Commit();
            return placed;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Connection;
            using var transaction = connection.BeginTransaction(deferred: true);
            var position = await EnsureStreamAsync(channel, transaction, cancellationToken).ConfigureAwait(false);
            transaction.Commit();
            return position;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<HistoryPage> ReadAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var limit = Math.Max(0, query.Limit);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Connection;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            using var transaction = connection.BeginTransaction(deferred: true);
            var position = await EnsureStreamAsync(channel, transaction, cancellationToken).ConfigureAwait(false);

            SqliteCommand select;
            if (query.SinceOffset is { } since)
            {
                select = Command(PublicationsTable.SelectAfter, transaction);
                select.Parameters.AddWithValue("$since", since);
                // One more than asked tells whether more follow.
                select.Parameters.AddWithValue("$limit", (long)limit + 1);
            }
            else
            {
                select = Command(PublicationsTable.SelectNewest, transaction);
                select.Parameters.AddWithValue("$limit", limit);
            }
            select.Parameters.AddWithValue("$channel", channel);
            select.Parameters.AddWithValue("$now", now);
            var publications = await ReadPublicationsAsync(select, channel, position.Epoch, cancellationToken).ConfigureAwait(false);
            transaction.Commit();

            var hasMore = publications.Count > limit;
            if (hasMore)
            {
                publications.RemoveAt(publications.Count - 1);
            }
            return new HistoryPage(position, publications, hasMore);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Connection;
            using var transaction = connection.BeginTransaction(deferred: true);
            var position = await SelectStreamAsync(channel, transaction, cancellationToken).ConfigureAwait(false);
            if (position is not { } stream)
            {
                // No stream, no state: it is kept only with its stream.
                return [];
            }
            var select = Command(StateTable.Select, transaction);
            select.Parameters.AddWithValue("$channel", channel);
            var state = await ReadPublicationsAsync(select, channel, stream.Epoch, cancellationToken).ConfigureAwait(false);
            transaction.Commit();
            return state;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Removes publications past their TTL, in batches so that appends wait at most one batch,
    /// then streams with no publications and no state last used before <paramref name="now"/>
    /// minus <paramref name="streamIdleTtl"/> (such a channel gets a new epoch on its next use).
    /// </summary>
    public async ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, TimeSpan streamIdleTtl, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var removed = 0;
        int batch;
        do
        {
            batch = await RunWriteAsync(PublicationsTable.DeleteExpired, command =>
            {
                command.Parameters.AddWithValue("$now", nowMs);
                command.Parameters.AddWithValue("$batch", ExpiryBatch);
            }, cancellationToken).ConfigureAwait(false);
            removed += batch;
        }
        while (batch == ExpiryBatch);

        removed += await RunWriteAsync(StreamsTable.DeleteIdle, command =>
            command.Parameters.AddWithValue("$idle_before", nowMs - (long)streamIdleTtl.TotalMilliseconds),
            cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>True when the database answers a query; false when it fails or the store is not open.</summary>
    public async ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_disposed || _connection is null)
            {
                return false;
            }
            var ping = Command("SELECT 1;", null);
            return await ping.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is 1L;
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

    /// <summary>Waits for the call in progress, then closes the file. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
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
            return _connection ?? throw new InvalidOperationException($"{nameof(SqliteHistoryStore)}.{nameof(InitializeAsync)} must run before the store is used.");
        }
    }

    /// <summary>A cached command for <paramref name="sql"/> (SQLite keeps it prepared), emptied of parameters.</summary>
    private SqliteCommand Command(string sql, SqliteTransaction? transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }
        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }

    private async ValueTask<int> RunWriteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = Connection;
            using var transaction = connection.BeginTransaction(deferred: false);
            var command = Command(sql, transaction);
            bind(command);
            var changed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            transaction.Commit();
            return changed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<StreamPosition> EnsureStreamAsync(string channel, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        if (await SelectStreamAsync(channel, transaction, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }
        var insert = Command(StreamsTable.InsertIfMissing, transaction);
        insert.Parameters.AddWithValue("$channel", channel);
        insert.Parameters.AddWithValue("$epoch", StreamPosition.NewEpoch());
        insert.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return await SelectStreamAsync(channel, transaction, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The stream of channel '{channel}' vanished while it was created.");
    }

    private async ValueTask<StreamPosition?> SelectStreamAsync(string channel, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        var select = Command(StreamsTable.Select, transaction);
        select.Parameters.AddWithValue("$channel", channel);
        using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new StreamPosition(reader.GetInt64(0), reader.GetString(1))
            : null;
    }

    private static async ValueTask<List<Publication>> ReadPublicationsAsync(SqliteCommand select, string channel, string epoch, CancellationToken cancellationToken)
    {
        var publications = new List<Publication>();
        using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            publications.Add(PublicationRows.Read(reader, channel, epoch));
        }
        return publications;
    }

    private static void AddPublication(SqliteCommand command, Publication publication, byte[] data, string? tags)
    {
        var parameters = command.Parameters;
        parameters.AddWithValue("$channel", publication.Channel);
        parameters.AddWithValue("$offset", publication.Offset);
        parameters.AddWithValue("$id", publication.Id);
        parameters.AddWithValue("$type", publication.Type);
        parameters.Add("$data", SqliteType.Blob).Value = data;
        parameters.AddWithValue("$timestamp", publication.Timestamp);
        parameters.AddWithValue("$key", (object?)publication.Key ?? DBNull.Value);
        parameters.AddWithValue("$tags", (object?)tags ?? DBNull.Value);
    }

    private static long ExpiresAt(long now, TimeSpan ttl)
    {
        var ttlMs = (long)Math.Min(ttl.TotalMilliseconds, long.MaxValue / 2);
        return now + ttlMs;
    }
}
