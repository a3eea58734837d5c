using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Storage.Postgres.Internal;
using Herald.Storage.Postgres.Schema;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Storage.Postgres;

/// <summary>
/// Channel streams in PostgreSQL, shared by every node of a cluster: per-channel offsets and
/// epochs, history and latest state. The rows it appends are also the cluster's publication log,
/// which <see cref="PostgresBroker"/> tails to deliver them to every node.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fulfils the <see cref="IHistoryStore"/> contract, checked by the shared compliance suite,
/// across processes: offsets are assigned by the database in the publishing statement, so nodes
/// need no lock of their own and any number of them may append to one channel at once.</item>
/// <item>An append is committed before it is answered. Appends are grouped per shard of the log
/// (<see cref="ShardWriter"/>): those that arrive while a commit is running share the next one.</item>
/// <item>Epochs never change while the stream exists: PostgreSQL does not acknowledge a commit it
/// could lose in a crash. A stream idle, empty and stateless for longer than the idle TTL is
/// removed, and its channel gets a new epoch on next use.</item>
/// <item>Reads are single statements, so the page and the position come from one snapshot and
/// see every append answered before they began.</item>
/// <item><see cref="RemoveExpiredAsync"/> deletes in batches: history past its TTL, history that
/// fell out of its window, and rows kept only for the other nodes to tail, each only once it is
/// older than <see cref="LogRetention"/>. It returns the history rows and streams it removed.
/// Run by one node at a time (the maintenance job takes the cluster's lead for it).</item>
/// <item>Thread-safe. Time (expiry, idle streams) comes from the <see cref="TimeProvider"/> given.</item>
/// </list>
/// </remarks>
public sealed class PostgresHistoryStore : IHistoryStore
{
    /// <summary>How long every row stays in the log at least, whatever its history options: a node whose tailing lags or whose connection drops for less than this misses nothing.</summary>
    public static readonly TimeSpan DefaultLogRetention = TimeSpan.FromMinutes(5);

    private const int DeleteBatch = 5000;

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;
    private readonly ShardWriter[] _writers;
    private long _trimmedUpTo;
    private volatile bool _disposed;

    /// <param name="database">The database shared with the other stores and the broker; the caller owns it.</param>
    /// <param name="time">The clock for expiry; the system clock when null.</param>
    public PostgresHistoryStore(PostgresDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
        _writers = new ShardWriter[Shards.Count];
        for (short shard = 0; shard < Shards.Count; shard++)
        {
            _writers[shard] = new ShardWriter(database.DataSource, shard, _time, OnCommitted);
        }
    }

    /// <summary>How long rows stay in the log at least (see <see cref="DefaultLogRetention"/>).</summary>
    public TimeSpan LogRetention { get; init; } = DefaultLogRetention;

    /// <summary>Raised after every commit of appends, on the committing thread (the broker wakes its tailing and the other nodes).</summary>
    internal event Action? Committed;

    internal PostgresDatabase Database => _database;

    internal TimeProvider Time => _time;

    /// <summary>Creates or migrates the schema (<see cref="PostgresDatabase.InitializeAsync"/>).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _database.InitializeAsync(cancellationToken);
    }

    public ValueTask<Publication> AppendAsync(Publication publication, HistoryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfUnusable();
        return _writers[Shards.Of(publication.Channel)].AppendAsync(publication, options, cancellationToken);
    }

    /// <summary>Logs a publication without a stream, for the other nodes to tail; it is in no history.</summary>
    internal ValueTask<Publication> AppendTransientAsync(Publication publication, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        return _writers[Shards.Of(publication.Channel)].AppendAsync(publication, null, cancellationToken);
    }

    public async ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ThrowIfUnusable();
        while (true)
        {
            await using var command = _database.DataSource.CreateCommand(StreamsTable.Ensure);
            command.Parameters.Add(Text(channel));
            command.Parameters.Add(Text(StreamPosition.NewEpoch()));
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _time.GetUtcNow().ToUnixTimeMilliseconds() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return new StreamPosition(reader.GetInt64(0), reader.GetString(1));
            }
            // Another node created the stream after this statement's snapshot: read it again.
        }
    }

    public async ValueTask<HistoryPage> ReadAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ThrowIfUnusable();
        var limit = Math.Max(0, query.Limit);
        while (true)
        {
            await using var command = _database.DataSource.CreateCommand(query.SinceOffset is null ? PublicationsTable.SelectNewest : PublicationsTable.SelectAfter);
            command.Parameters.Add(Text(channel));
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = query.SinceOffset ?? 0 });
            // One more than asked tells whether more follow.
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = query.SinceOffset is null ? limit : (long)limit + 1 });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = _time.GetUtcNow().ToUnixTimeMilliseconds() });
            StreamPosition? position = null;
            var publications = new List<Publication>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    position ??= new StreamPosition(reader.GetInt64(0), reader.GetString(1));
                    if (!reader.IsDBNull(4))
                    {
                        publications.Add(PublicationRows.Read(reader, 2, channel));
                    }
                }
            }
            if (position is null)
            {
                // No stream yet: reading creates it, so its epoch is the one later publications get.
                var created = await GetPositionAsync(channel, cancellationToken).ConfigureAwait(false);
                if (created.Offset == 0)
                {
                    return new HistoryPage(created, [], false);
                }
                continue;
            }
            if (query.SinceOffset is null)
            {
                publications.Reverse();
                return new HistoryPage(position.Value, publications, false);
            }
            var hasMore = publications.Count > limit;
            if (hasMore)
            {
                publications.RemoveAt(publications.Count - 1);
            }
            return new HistoryPage(position.Value, publications, hasMore);
        }
    }

    public async ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ThrowIfUnusable();
        await using var command = _database.DataSource.CreateCommand(StateTable.Select);
        command.Parameters.Add(Text(channel));
        var publications = new List<Publication>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            publications.Add(PublicationRows.Read(reader, 0, channel));
        }
        return publications;
    }

    /// <summary>
    /// Removes, in batches of a few thousand rows: history past its TTL, history beyond its
    /// channel's size, and rows kept only for tailing, each once logged longer ago than
    /// <see cref="LogRetention"/>; then streams with no history and no state last used before
    /// <paramref name="now"/> minus <paramref name="streamIdleTtl"/> (such a channel gets a new
    /// epoch on its next use). Returns the expired history rows and the streams removed.
    /// </summary>
    public async ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, TimeSpan streamIdleTtl, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        var nowMs = now.ToUnixTimeMilliseconds();
        var cutoff = nowMs - (long)LogRetention.TotalMilliseconds;
        var removed = await DeleteInBatchesAsync(PublicationsTable.DeleteExpired, [nowMs, cutoff], cancellationToken).ConfigureAwait(false);
        // Streams appended to since the last pass (with a margin for clocks of other nodes), or all of them on the first.
        var since = Interlocked.Read(ref _trimmedUpTo);
        await DeleteInBatchesAsync(PublicationsTable.DeleteTrimmed, [since, cutoff], cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _trimmedUpTo, cutoff - (long)LogRetention.TotalMilliseconds);
        await DeleteInBatchesAsync(PublicationsTable.DeleteLogged, [cutoff], cancellationToken).ConfigureAwait(false);

        await using var idle = _database.DataSource.CreateCommand(StreamsTable.DeleteIdle);
        idle.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nowMs - (long)streamIdleTtl.TotalMilliseconds });
        removed += await idle.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>True when the database answers a query; false when it fails, is not initialized, or this store is disposed.</summary>
    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) =>
        _disposed ? ValueTask.FromResult(false) : _database.IsHealthyAsync(cancellationToken);

    /// <summary>Stops this store: queued appends fail, later calls throw <see cref="ObjectDisposedException"/>. The database stays open (its owner disposes it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var writer in _writers)
        {
            await writer.StopAsync().ConfigureAwait(false);
        }
    }

    private void OnCommitted() => Committed?.Invoke();

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _database.ThrowIfNotInitialized();
    }

    private async Task<int> DeleteInBatchesAsync(string sql, long[] arguments, CancellationToken cancellationToken)
    {
        var total = 0;
        int batch;
        do
        {
            await using var command = _database.DataSource.CreateCommand(sql);
            foreach (var argument in arguments)
            {
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = argument });
            }
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = DeleteBatch });
            batch = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            total += batch;
        }
        while (batch == DeleteBatch);
        return total;
    }

    private static NpgsqlParameter Text(string value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = value };
}
