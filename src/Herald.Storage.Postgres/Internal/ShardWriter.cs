using System.Threading.Channels;
using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Storage.Postgres.Schema;
using Npgsql;
using NpgsqlTypes;

namespace Herald.Storage.Postgres.Internal;

/// <summary>
/// Group commit for one shard of the publication log: appends that arrive while a transaction is
/// running wait in a bounded queue and go together in the next one, a single round trip that
/// takes the shard's advisory lock, runs one statement per publication and commits. Each caller
/// is answered after that commit. One writer per shard per node, so a node never waits on its
/// own lock; nodes queue on the shard lock, which is what keeps <c>log_id</c> order equal to
/// commit order within the shard.
/// </summary>
/// <remarks>
/// A batch that fails for a reason other than the connection (a constraint, say) is retried one
/// publication at a time, so one bad append fails alone. A connection failure fails the whole
/// batch: the callers see the exception, and what did commit, if anything, is still delivered.
/// </remarks>
internal sealed class ShardWriter
{
    /// <summary>Most publications in one transaction.</summary>
    public const int MaxBatch = 256;

    /// <summary>Appends waiting per shard before callers wait for room.</summary>
    public const int QueueCapacity = 8192;

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly NpgsqlDataSource _dataSource;
    private readonly short _shard;
    private readonly TimeProvider _time;
    private readonly Action _committed;
    private readonly Task _loop;

    public ShardWriter(NpgsqlDataSource dataSource, short shard, TimeProvider time, Action committed)
    {
        _dataSource = dataSource;
        _shard = shard;
        _time = time;
        _committed = committed;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Appends a publication; with <paramref name="options"/> into its stream, else without one. Cancellable only while it waits for room in the queue.</summary>
    public async ValueTask<Publication> AppendAsync(Publication publication, HistoryOptions? options, CancellationToken cancellationToken)
    {
        var pending = new Pending(publication, options);
        await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        return await pending.Done.Task.ConfigureAwait(false);
    }

    /// <summary>Stops taking appends; those queued fail.</summary>
    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            await CommitAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task CommitAsync(List<Pending> batch)
    {
        try
        {
            var placed = await ExecuteAsync(batch).ConfigureAwait(false);
            _committed();
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(placed[i]);
            }
        }
        catch (PostgresException) when (batch.Count > 1)
        {
            // The server refused one of them: find it by committing one at a time.
            foreach (var pending in batch)
            {
                await CommitAsync([pending]).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(ex);
            }
        }
    }

    private async Task<Publication[]> ExecuteAsync(List<Pending> batch)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var commands = new NpgsqlBatch(connection, transaction);
        var lockCommand = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
        lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Shards.LockBase + _shard });
        commands.BatchCommands.Add(lockCommand);
        foreach (var pending in batch)
        {
            commands.BatchCommands.Add(Command(pending, now));
        }
        var placed = new Publication[batch.Count];
        await using (var reader = await commands.ExecuteReaderAsync().ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                await reader.NextResultAsync().ConfigureAwait(false);
                await reader.ReadAsync().ConfigureAwait(false);
                var publication = batch[i].Publication;
                placed[i] = batch[i].Options is null ? publication : publication.At(reader.GetInt64(0), reader.GetString(1));
            }
        }
        await transaction.CommitAsync().ConfigureAwait(false);
        return placed;
    }

    private NpgsqlBatchCommand Command(Pending pending, long now)
    {
        var publication = pending.Publication;
        var data = PublicationRows.Data(publication.Data);
        var tags = PublicationRows.WriteTags(publication.Tags);
        if (pending.Options is not { } options)
        {
            var transient = new NpgsqlBatchCommand(PublicationsTable.AppendTransient);
            var t = transient.Parameters;
            t.Add(new NpgsqlParameter<short> { TypedValue = _shard });
            t.Add(Text(publication.Channel));
            t.Add(Text(publication.Id));
            t.Add(Text(publication.Type));
            t.Add(new NpgsqlParameter<byte[]> { TypedValue = data });
            t.Add(new NpgsqlParameter<long> { TypedValue = publication.Timestamp });
            t.Add(Text(publication.Key));
            t.Add(Text(tags));
            t.Add(new NpgsqlParameter<long> { TypedValue = now });
            return transient;
        }
        var withState = options.KeepState && options.MaxStateKeys > 0 && publication.Key is not null;
        var command = new NpgsqlBatchCommand(withState ? PublicationsTable.AppendToStreamWithState : PublicationsTable.AppendToStream);
        var p = command.Parameters;
        p.Add(Text(publication.Channel));
        p.Add(Text(StreamPosition.NewEpoch()));
        p.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(0, options.Size) });
        p.Add(new NpgsqlParameter<long> { TypedValue = now });
        p.Add(new NpgsqlParameter<short> { TypedValue = _shard });
        p.Add(Text(publication.Id));
        p.Add(Text(publication.Type));
        p.Add(new NpgsqlParameter<byte[]> { TypedValue = data });
        p.Add(new NpgsqlParameter<long> { TypedValue = publication.Timestamp });
        p.Add(Text(publication.Key));
        p.Add(Text(tags));
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = options.Size > 0 ? ExpiresAt(now, options.Ttl) : DBNull.Value });
        if (withState)
        {
            p.Add(new NpgsqlParameter<int> { TypedValue = options.MaxStateKeys - 1 });
        }
        return command;
    }

    private static NpgsqlParameter Text(string? value) => new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static long ExpiresAt(long now, TimeSpan ttl) => now + (long)Math.Min(ttl.TotalMilliseconds, long.MaxValue / 2);

    private sealed class Pending(Publication publication, HistoryOptions? options)
    {
        public Publication Publication { get; } = publication;

        public HistoryOptions? Options { get; } = options;

        public TaskCompletionSource<Publication> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
