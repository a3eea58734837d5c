using System.Collections.Concurrent;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Core.History;

/// <summary>
/// History in process memory: fast, bounded by each namespace's size, lost on restart (every
/// channel then gets a new epoch, so clients are told to refetch instead of missing data).
/// Thread-safe.
/// </summary>
public sealed class MemoryHistoryStore(TimeProvider? time = null) : IHistoryStore
{
    private readonly ConcurrentDictionary<string, Stream> _streams = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask<Publication> AppendAsync(Publication publication, HistoryOptions options, CancellationToken cancellationToken)
    {
        var stream = GetStream(publication.Channel);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (stream)
        {
            stream.Top++;
            stream.LastUsed = now;
            var placed = publication.At(stream.Top, stream.Epoch);
            if (options.Size > 0)
            {
                stream.Items.Enqueue(new Entry(placed, now + (long)options.Ttl.TotalMilliseconds));
                while (stream.Items.Count > options.Size)
                {
                    stream.Items.Dequeue();
                }
            }
            if (options.KeepState && placed.Key is not null)
            {
                stream.State ??= new Dictionary<string, Publication>(StringComparer.Ordinal);
                stream.State.Remove(placed.Key);
                stream.State[placed.Key] = placed;
                while (stream.State.Count > options.MaxStateKeys)
                {
                    var oldest = stream.State.Values.MinBy(p => p.Offset)!;
                    stream.State.Remove(oldest.Key!);
                }
            }
            return ValueTask.FromResult(placed);
        }
    }

    public ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken)
    {
        var stream = GetStream(channel);
        lock (stream)
        {
            return ValueTask.FromResult(new StreamPosition(stream.Top, stream.Epoch));
        }
    }

    public ValueTask<HistoryPage> ReadAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        var stream = GetStream(channel);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (stream)
        {
            var live = stream.Items.Where(e => e.ExpiresAt > now).Select(e => e.Publication);
            List<Publication> selected;
            bool hasMore;
            if (query.SinceOffset is { } since)
            {
                var after = live.Where(p => p.Offset > since).ToList();
                hasMore = after.Count > query.Limit;
                selected = after.Take(query.Limit).ToList();
            }
            else
            {
                var all = live.ToList();
                selected = all.Skip(Math.Max(0, all.Count - query.Limit)).ToList();
                hasMore = false;
            }
            return ValueTask.FromResult(new HistoryPage(new StreamPosition(stream.Top, stream.Epoch), selected, hasMore));
        }
    }

    public ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken)
    {
        if (!_streams.TryGetValue(channel, out var stream))
        {
            return ValueTask.FromResult<IReadOnlyList<Publication>>([]);
        }
        lock (stream)
        {
            return ValueTask.FromResult<IReadOnlyList<Publication>>(stream.State is null ? [] : stream.State.Values.OrderBy(p => p.Offset).ToList());
        }
    }

    public ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, TimeSpan streamIdleTtl, CancellationToken cancellationToken)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var removed = 0;
        foreach (var (channel, stream) in _streams)
        {
            lock (stream)
            {
                while (stream.Items.Count > 0 && stream.Items.Peek().ExpiresAt <= nowMs)
                {
                    stream.Items.Dequeue();
                    removed++;
                }
                if (stream.Items.Count == 0 && stream.State is not { Count: > 0 } && nowMs - stream.LastUsed > streamIdleTtl.TotalMilliseconds)
                {
                    _streams.TryRemove(new KeyValuePair<string, Stream>(channel, stream));
                    removed++;
                }
            }
        }
        return ValueTask.FromResult(removed);
    }

    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Stream GetStream(string channel) =>
        _streams.GetOrAdd(channel, static (_, now) => new Stream { Epoch = StreamPosition.NewEpoch(), LastUsed = now }, _time.GetUtcNow().ToUnixTimeMilliseconds());

    private sealed class Stream
    {
        public required string Epoch;
        public long Top;
        public long LastUsed;
        public readonly Queue<Entry> Items = new();
        public Dictionary<string, Publication>? State;
    }

    private readonly record struct Entry(Publication Publication, long ExpiresAt);
}
