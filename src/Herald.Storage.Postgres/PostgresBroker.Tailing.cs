using Herald.Messages;
using Herald.Storage.Postgres.Internal;
using Herald.Storage.Postgres.Schema;
using Npgsql;

namespace Herald.Storage.Postgres;

public sealed partial class PostgresBroker
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    /// <summary>The tailing loop: read every shard after its cursor, deliver, repeat while rows keep coming; then wait for a wake-up or the poll interval.</summary>
    private async Task TailAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        long? outageSince = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (!_interrupted)
                {
                    while (await TailOnceAsync(cancellationToken).ConfigureAwait(false))
                    {
                    }
                    if (outageSince is { } since)
                    {
                        await EndOutageAsync(since, cancellationToken).ConfigureAwait(false);
                        outageSince = null;
                    }
                    backoff = TimeSpan.FromMilliseconds(50);
                }
                await _wake.WaitAsync(PollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException or IOException)
            {
                if (outageSince is null)
                {
                    outageSince = _store.Time.GetTimestamp();
                    _tailingHealthy = false;
                    PostgresLog.TailingFailed(_logger, ex, _database.Target);
                }
                try
                {
                    await Task.Delay(backoff, _store.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>
    /// Tailing works again after failing since <paramref name="since"/>. Rows stay in the log for
    /// at least its retention, so after a shorter outage the cursors are still valid and nothing
    /// was missed; after a longer one rows may be gone, so skip to the head and let the node's
    /// subscribers recover from history.
    /// </summary>
    private async Task EndOutageAsync(long since, CancellationToken cancellationToken)
    {
        var lasted = _store.Time.GetElapsedTime(since);
        _tailingHealthy = true;
        if (lasted < _store.LogRetention / 2)
        {
            PostgresLog.TailingResumed(_logger, _database.Target, (long)lasted.TotalMilliseconds);
            return;
        }
        PostgresLog.TailingResumedWithGap(_logger, _database.Target, (long)lasted.TotalMilliseconds);
        await ReadHeadsAsync(cancellationToken).ConfigureAwait(false);
        _handler?.OnBrokerReconnected();
    }

    /// <summary>One tailing query over every shard; true when some shard had more rows than one batch takes.</summary>
    private async Task<bool> TailOnceAsync(CancellationToken cancellationToken)
    {
        var handler = _handler!;
        var cursors = new long[Shards.Count];
        for (var i = 0; i < cursors.Length; i++)
        {
            cursors[i] = Volatile.Read(ref _cursors[i]);
        }
        var counts = new int[Shards.Count];
        await using var command = _database.DataSource.CreateCommand(PublicationsTable.Tail);
        command.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = _shards });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = cursors });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = TailBatch });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_interrupted)
            {
                return false;
            }
            var logId = reader.GetInt64(0);
            var shard = reader.GetInt16(1);
            var channel = reader.GetString(2);
            counts[shard]++;
            // Read the rest of the row only for channels this node has subscribers of.
            if (_channels.TryGetValue(channel, out var subscribedAt) && logId > subscribedAt)
            {
                Publication publication;
                try
                {
                    publication = PublicationRows.Read(reader, 3, channel);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    PostgresLog.UnreadableRow(_logger, ex, logId);
                    Volatile.Write(ref _cursors[shard], logId);
                    continue;
                }
                try
                {
                    handler.HandlePublication(publication);
                }
                catch (Exception ex)
                {
                    PostgresLog.HandlerFailed(_logger, ex, channel);
                }
            }
            Volatile.Write(ref _cursors[shard], logId);
        }
        return counts.Any(c => c >= TailBatch);
    }

    /// <summary>LISTEN on a dedicated connection; every notification wakes the tailing loop. Reconnects with backoff.</summary>
    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_database.ListenConnectionString);
                connection.Notification += (_, _) => Wake();
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (var listen = new NpgsqlCommand($"LISTEN {NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                backoff = TimeSpan.FromMilliseconds(100);
                // Whatever was notified while this connection was down is read now.
                Wake();
                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException or IOException)
            {
                PostgresLog.ListenFailed(_logger, ex, _database.Target);
                try
                {
                    await Task.Delay(backoff, _store.Time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }
}
