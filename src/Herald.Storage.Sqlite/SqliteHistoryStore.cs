using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Storage.Sqlite.Internal;
using Herald.Storage.Sqlite.Schema;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite;

/// <summary>
/// Channel history in a SQLite file: the standalone server's default store. It survives a restart
/// with the same epochs, offsets, publications and latest state, so clients recover across it
/// instead of being told to refetch.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fulfils the <see cref="IHistoryStore"/> contract, checked by the shared compliance suite.</item>
/// <item>Every append is one transaction: the offset, the publication, the trim and the state update
/// are stored together or not at all, and committed before the placed publication is returned.</item>
/// <item>Thread-safe. It runs on a <see cref="SqliteDatabase"/>, one call at a time with the other
/// stores on the same file; a call waiting its turn can be cancelled.</item>
/// <item><see cref="InitializeAsync"/> must run before any other call. The file is in WAL mode with
/// <c>synchronous=NORMAL</c>: a commit survives a crash of the process; a power loss can drop the
/// last commits (never corrupt the file), and then the next start gives every stream a new epoch,
/// so that no client trusts an offset that may be handed out again.</item>
/// <item>Time (expiry, idle streams) comes from the <see cref="TimeProvider"/> given.</item>
/// </list>
/// </remarks>
public sealed class SqliteHistoryStore : IHistoryStore
{
    /// <summary>How long a call waits for a lock held by another process on the same file.</summary>
    public static readonly TimeSpan BusyTimeout = SqliteDatabase.BusyTimeout;

    /// <summary>Expired publications removed per transaction by <see cref="RemoveExpiredAsync"/>.</summary>
    private const int ExpiryBatch = 1000;

    private readonly SqliteDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly TimeProvider _time;
    private volatile bool _disposed;

    /// <summary>A store on <paramref name="database"/>, which the caller owns and disposes after this store.</summary>
    /// <param name="database">The database shared with the other SQLite stores.</param>
    /// <param name="time">The clock for expiry; the system clock when null.</param>
    public SqliteHistoryStore(SqliteDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// A store on its own database at <paramref name="path"/> (created with its directory when
    /// missing), which it owns: disposing the store closes the file. To share the file with the
    /// operation and notification stores, create a <see cref="SqliteDatabase"/> and use the other
    /// constructor.
    /// </summary>
    /// <param name="path">The database file. Only one process may use it at a time.</param>
    /// <param name="time">The clock for expiry; the system clock when null.</param>
    public SqliteHistoryStore(string path, TimeProvider? time = null)
        : this(new SqliteDatabase(path), time)
    {
        _ownsDatabase = true;
    }

    /// <summary>
    /// Opens the database and creates or migrates the schema (see <see cref="SqliteDatabase.InitializeAsync"/>).
    /// Idempotent. Throws <see cref="InvalidOperationException"/> naming the file when it cannot be
    /// opened, is not a SQLite database, or was written by a newer schema.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _database.InitializeAsync(cancellationToken);
    }

    public ValueTask<Publication> AppendAsync(Publication publication, HistoryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfDisposed();
        return _database.WriteAsync((Store: this, Publication: publication, Options: options), static async (unit, s, ct) =>
        {
            var (store, publication, options) = s;
            var channel = publication.Channel;
            var now = store._time.GetUtcNow().ToUnixTimeMilliseconds();

            long offset;
            string epoch;
            var advance = unit.Command(StreamsTable.Advance);
            advance.Parameters.AddWithValue("$channel", channel);
            advance.Parameters.AddWithValue("$epoch", StreamPosition.NewEpoch());
            advance.Parameters.AddWithValue("$now", now);
            using (var reader = await advance.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                offset = reader.GetInt64(0);
                epoch = reader.GetString(1);
            }
            var placed = publication.At(offset, epoch);
            var data = Columns.Blob(placed.Data);
            var tags = PublicationRows.WriteTags(placed.Tags);

            if (options.Size > 0)
            {
                var insert = unit.Command(PublicationsTable.Insert);
                AddPublication(insert, placed, data, tags);
                insert.Parameters.AddWithValue("$expires_at", ExpiresAt(now, options.Ttl));
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            // Also when the size is 0: rows kept under a larger size before a restart go too.
            var trim = unit.Command(PublicationsTable.Trim);
            trim.Parameters.AddWithValue("$channel", channel);
            trim.Parameters.AddWithValue("$size", Math.Max(0, options.Size));
            await trim.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

            if (options.KeepState && placed.Key is not null)
            {
                var upsert = unit.Command(StateTable.Upsert);
                AddPublication(upsert, placed, data, tags);
                await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                var evict = unit.Command(StateTable.Evict);
                evict.Parameters.AddWithValue("$channel", channel);
                evict.Parameters.AddWithValue("$max", Math.Max(0, options.MaxStateKeys));
                await evict.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return placed;
        }, cancellationToken);
    }

    public ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ThrowIfDisposed();
        return _database.ReadAsync((Store: this, Channel: channel),
            static (unit, s, ct) => s.Store.EnsureStreamAsync(unit, s.Channel, ct), cancellationToken);
    }

    public ValueTask<HistoryPage> ReadAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ThrowIfDisposed();
        return _database.ReadAsync((Store: this, Channel: channel, Query: query), static async (unit, s, ct) =>
        {
            var (store, channel, query) = s;
            var limit = Math.Max(0, query.Limit);
            var now = store._time.GetUtcNow().ToUnixTimeMilliseconds();
            var position = await store.EnsureStreamAsync(unit, channel, ct).ConfigureAwait(false);

            SqliteCommand select;
            if (query.SinceOffset is { } since)
            {
                select = unit.Command(PublicationsTable.SelectAfter);
                select.Parameters.AddWithValue("$since", since);
                // One more than asked tells whether more follow.
                select.Parameters.AddWithValue("$limit", (long)limit + 1);
            }
            else
            {
                select = unit.Command(PublicationsTable.SelectNewest);
                select.Parameters.AddWithValue("$limit", limit);
            }
            select.Parameters.AddWithValue("$channel", channel);
            select.Parameters.AddWithValue("$now", now);
            var publications = await ReadPublicationsAsync(select, channel, position.Epoch, ct).ConfigureAwait(false);

            var hasMore = publications.Count > limit;
            if (hasMore)
            {
                publications.RemoveAt(publications.Count - 1);
            }
            return new HistoryPage(position, publications, hasMore);
        }, cancellationToken);
    }

    public ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ThrowIfDisposed();
        return _database.ReadAsync(channel, static async (unit, channel, ct) =>
        {
            if (await SelectStreamAsync(unit, channel, ct).ConfigureAwait(false) is not { } stream)
            {
                // No stream, no state: it is kept only with its stream.
                return (IReadOnlyList<Publication>)[];
            }
            var select = unit.Command(StateTable.Select);
            select.Parameters.AddWithValue("$channel", channel);
            return await ReadPublicationsAsync(select, channel, stream.Epoch, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>
    /// Removes publications past their TTL, in batches so that other calls wait at most one batch,
    /// then streams with no publications and no state last used before <paramref name="now"/>
    /// minus <paramref name="streamIdleTtl"/> (such a channel gets a new epoch on its next use).
    /// </summary>
    public async ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, TimeSpan streamIdleTtl, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        var nowMs = now.ToUnixTimeMilliseconds();
        var removed = 0;
        int batch;
        do
        {
            batch = await _database.ExecuteAsync(PublicationsTable.DeleteExpired, nowMs, static (parameters, nowMs) =>
            {
                parameters.AddWithValue("$now", nowMs);
                parameters.AddWithValue("$batch", ExpiryBatch);
            }, cancellationToken).ConfigureAwait(false);
            removed += batch;
        }
        while (batch == ExpiryBatch);

        removed += await _database.ExecuteAsync(StreamsTable.DeleteIdle, nowMs - (long)streamIdleTtl.TotalMilliseconds,
            static (parameters, idleBefore) => parameters.AddWithValue("$idle_before", idleBefore),
            cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>True when the database answers a query; false when it fails, is not open, or this store is disposed.</summary>
    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) =>
        _disposed ? ValueTask.FromResult(false) : _database.IsHealthyAsync(cancellationToken);

    /// <summary>
    /// Stops this store: later calls throw <see cref="ObjectDisposedException"/>. Closes the file
    /// only when the store owns its database (<see cref="SqliteHistoryStore(string, TimeProvider?)"/>),
    /// after the call in progress.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_ownsDatabase)
        {
            await _database.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private async ValueTask<StreamPosition> EnsureStreamAsync(UnitOfWork unit, string channel, CancellationToken cancellationToken)
    {
        if (await SelectStreamAsync(unit, channel, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }
        var insert = unit.Command(StreamsTable.InsertIfMissing);
        insert.Parameters.AddWithValue("$channel", channel);
        insert.Parameters.AddWithValue("$epoch", StreamPosition.NewEpoch());
        insert.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return await SelectStreamAsync(unit, channel, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The stream of channel '{channel}' vanished while it was created.");
    }

    private static async ValueTask<StreamPosition?> SelectStreamAsync(UnitOfWork unit, string channel, CancellationToken cancellationToken)
    {
        var select = unit.Command(StreamsTable.Select);
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
