using System.Collections.Concurrent;
using Herald.Core.Brokers;
using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Storage.Postgres.Internal;
using Herald.Storage.Postgres.Schema;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Herald.Storage.Postgres;

/// <summary>
/// The broker of a cluster of nodes on one PostgreSQL database. Publishing appends to the
/// publication log (<see cref="PostgresHistoryStore"/>) in a transaction that assigns the offset;
/// every node tails the log, shard by shard, and hands each row of a channel it subscribed to its
/// node. So every node sees one order per channel (the log's), offsets are gapless, payloads may
/// be as large as the publish limit, and channels without history travel the same way.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Tailing.</b> Within a shard, rows are appended under the shard's advisory lock, so
/// <c>log_id</c> order is commit order: a node reads <c>log_id &gt; cursor</c> per shard and
/// never skips a row that a slower transaction commits later. Cursors only move forward: at most
/// once per node.</item>
/// <item><b>Wake-ups.</b> A node tails when it commits an append itself, when another node's
/// NOTIFY arrives, and every <see cref="PollInterval"/> in any case. NOTIFY carries no payload and
/// is coalesced: at most one per node every <see cref="NotifyInterval"/>, sent after the commit in
/// a statement of its own, never inside a publishing transaction. LISTEN runs on one dedicated
/// connection per node (<see cref="PostgresDatabase.ListenConnectionString"/>), so the pooled
/// connections may go through PgBouncer in transaction mode.</item>
/// <item><b>Outages.</b> While the database cannot be reached, publishing and reading fail with
/// the driver's exception, and tailing retries with backoff. When it is back, tailing goes on
/// from its cursors, so a short outage loses nothing. Only when the outage lasted long enough
/// that rows this node had not read may have been removed from the log (half of
/// <see cref="PostgresHistoryStore.LogRetention"/>) does the broker skip to the log's head and
/// call <see cref="IBrokerHandler.OnBrokerReconnected"/>, so subscribers recover from history.</item>
/// <item>Thread-safe. The handler is called from one tailing loop, so never concurrently.</item>
/// </list>
/// </remarks>
public sealed partial class PostgresBroker : IBroker
{
    /// <summary>The NOTIFY channel of the log's wake-ups.</summary>
    public const string NotifyChannel = "herald_publications";

    /// <summary>How often a node tails the log without a wake-up.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The least time between two NOTIFYs of one node.</summary>
    public static readonly TimeSpan DefaultNotifyInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>Rows read per shard in one tailing query.</summary>
    private const int TailBatch = 500;

    private readonly PostgresHistoryStore _store;
    private readonly PostgresDatabase _database;
    private readonly ILogger _logger;
    /// <summary>The channels subscribed to, each with the head of its shard when it was subscribed: rows up to it were accepted before and are not delivered.</summary>
    private readonly ConcurrentDictionary<string, long> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly long[] _cursors = new long[Shards.Count];
    private readonly short[] _shards = Enumerable.Range(0, Shards.Count).Select(s => (short)s).ToArray();
    private IBrokerHandler? _handler;
    private Task _tailing = Task.CompletedTask;
    private Task _listening = Task.CompletedTask;
    private int _notifyScheduled;
    private long _lastNotify;
    private volatile bool _tailingHealthy;
    private volatile bool _interrupted;
    private int _disposed;

    /// <param name="store">The streams this broker publishes into and tails; the caller owns it (and its database).</param>
    /// <param name="logger">Where outages and reconnects are logged.</param>
    public PostgresBroker(PostgresHistoryStore store, ILogger<PostgresBroker>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _database = store.Database;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>How often the log is tailed without a wake-up (default <see cref="DefaultPollInterval"/>).</summary>
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;

    /// <summary>The least time between two NOTIFYs of this node (default <see cref="DefaultNotifyInterval"/>).</summary>
    public TimeSpan NotifyInterval { get; init; } = DefaultNotifyInterval;

    /// <summary>Creates or migrates the schema, finds the head of every shard and starts tailing from there, and LISTENs.</summary>
    public async Task StartAsync(IBrokerHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await ReadHeadsAsync(cancellationToken).ConfigureAwait(false);
        _handler = handler;
        _tailingHealthy = true;
        _store.Committed += OnCommitted;
        _tailing = Task.Run(() => TailAsync(_stopping.Token));
        _listening = Task.Run(() => ListenAsync(_stopping.Token));
    }

    public ValueTask<Publication> PublishAsync(Publication publication, HistoryOptions? stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ThrowIfUnavailable();
        return stream is null
            ? _store.AppendTransientAsync(publication, cancellationToken)
            : _store.AppendAsync(publication, stream, cancellationToken);
    }

    /// <summary>
    /// Subscribes this node: publications of the channel appended after this call began are
    /// delivered, those accepted before are not (one query for the head of the channel's shard).
    /// </summary>
    public async ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (_channels.ContainsKey(channel))
        {
            return;
        }
        await using var command = _database.DataSource.CreateCommand(PublicationsTable.Head);
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = Shards.Of(channel) });
        var head = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        _channels.TryAdd(channel, head);
    }

    public ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken)
    {
        _channels.TryRemove(channel, out _);
        return ValueTask.CompletedTask;
    }

    public ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return _store.GetPositionAsync(channel, cancellationToken);
    }

    public ValueTask<HistoryPage> ReadHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return _store.ReadAsync(channel, query, cancellationToken);
    }

    public ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return _store.ReadStateAsync(channel, cancellationToken);
    }

    /// <summary>True when tailing works and the database answers.</summary>
    public async ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) =>
        _handler is not null && !_interrupted && _tailingHealthy && await _database.IsHealthyAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _store.Committed -= OnCommitted;
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_tailing, _listening).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    /// <summary>Simulates an outage long enough to lose rows from the log: nothing arrives, publishing and reading fail.</summary>
    internal void Interrupt() => _interrupted = true;

    /// <summary>Ends a simulated outage as a long one ends: tailing skips to the log's head and the handler is told.</summary>
    internal async Task ResumeAsync()
    {
        await ReadHeadsAsync(CancellationToken.None).ConfigureAwait(false);
        _interrupted = false;
        _handler?.OnBrokerReconnected();
        Wake();
    }

    private void ThrowIfUnavailable()
    {
        if (_handler is null)
        {
            throw new InvalidOperationException("The broker has not been started.");
        }
        if (_interrupted)
        {
            throw new InvalidOperationException("The broker is disconnected.");
        }
    }

    private void Wake()
    {
        // At most one pending wake-up: the tailing loop reads everything there is when it runs.
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    private void OnCommitted()
    {
        Wake();
        if (Interlocked.Exchange(ref _notifyScheduled, 1) == 0)
        {
            _ = NotifyAsync();
        }
    }

    /// <summary>Sends one coalesced NOTIFY, no sooner than <see cref="NotifyInterval"/> after the previous one.</summary>
    private async Task NotifyAsync()
    {
        try
        {
            var wait = NotifyInterval - _store.Time.GetElapsedTime(Interlocked.Read(ref _lastNotify));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _store.Time, _stopping.Token).ConfigureAwait(false);
            }
            // Commits from now on schedule another NOTIFY: this one may already be on its way.
            Volatile.Write(ref _notifyScheduled, 0);
            Interlocked.Exchange(ref _lastNotify, _store.Time.GetTimestamp());
            await using var command = _database.DataSource.CreateCommand($"SELECT pg_notify('{NotifyChannel}', '')");
            await command.ExecuteNonQueryAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The other nodes poll anyway; a lost wake-up only delays them by one poll.
            Volatile.Write(ref _notifyScheduled, 0);
        }
    }

    private async Task ReadHeadsAsync(CancellationToken cancellationToken)
    {
        await using var command = _database.DataSource.CreateCommand(PublicationsTable.Heads);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Shards.Count });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            Volatile.Write(ref _cursors[reader.GetInt16(0)], reader.GetInt64(1));
        }
    }
}
