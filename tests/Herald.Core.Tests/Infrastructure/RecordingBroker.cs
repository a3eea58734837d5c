using Herald.Core.Brokers;
using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Core.Tests.Infrastructure;

/// <summary>
/// A single-node broker over a <see cref="MemoryBroker"/> that records which channels the node
/// asked it to subscribe to, delivers only those, and lets a test fail or interleave those calls.
/// </summary>
internal sealed class RecordingBroker : IBroker, IBrokerHandler
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private readonly MemoryBroker _inner = new();
    private IBrokerHandler? _handler;

    /// <summary>Every subscribe/unsubscribe call in the order the broker applied them.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Called at the start of <see cref="SubscribeAsync"/>; may throw to simulate a broker failure.</summary>
    public Action<string>? OnSubscribe { get; set; }

    /// <summary>Called in <see cref="UnsubscribeAsync"/> before the unsubscribe takes effect.</summary>
    public Action<string>? BeforeUnsubscribe { get; set; }

    /// <summary>Called before and after a read of a position, history or state: a test publishes in the middle of a subscribe with it.</summary>
    public Func<string, ValueTask>? BeforeRead { get; set; }

    /// <inheritdoc cref="BeforeRead"/>
    public Func<string, ValueTask>? AfterRead { get; set; }

    public bool IsSubscribed(string channel)
    {
        lock (_lock)
        {
            return _subscribed.Contains(channel);
        }
    }

    public async Task StartAsync(IBrokerHandler handler, CancellationToken cancellationToken)
    {
        _handler = handler;
        await _inner.StartAsync(this, cancellationToken);
    }

    /// <summary>Runs before each publish reaches the inner broker (a test can hold a publish there, or fail it).</summary>
    public Func<Publication, ValueTask>? BeforePublish { get; set; }

    /// <summary>Publishes that reached this broker.</summary>
    public int Publishes => _publishes;

    private int _publishes;

    public async ValueTask<Publication> PublishAsync(Publication publication, HistoryOptions? stream, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _publishes);
        if (BeforePublish is { } before)
        {
            await before(publication);
        }
        return await _inner.PublishAsync(publication, stream, cancellationToken);
    }

    public async ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken)
    {
        if (channel == Herald.Core.Cluster.ClusterSignals.Channel)
        {
            // The node's own subscription at start, not one of a client's.
            await _inner.SubscribeAsync(channel, cancellationToken);
            return;
        }
        OnSubscribe?.Invoke(channel);
        lock (_lock)
        {
            _subscribed.Add(channel);
            Calls.Add($"subscribe {channel}");
        }
        await _inner.SubscribeAsync(channel, cancellationToken);
    }

    public ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken)
    {
        BeforeUnsubscribe?.Invoke(channel);
        lock (_lock)
        {
            _subscribed.Remove(channel);
            Calls.Add($"unsubscribe {channel}");
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken) =>
        ReadAsync(channel, () => _inner.GetPositionAsync(channel, cancellationToken));

    public ValueTask<HistoryPage> ReadHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken) =>
        ReadAsync(channel, () => _inner.ReadHistoryAsync(channel, query, cancellationToken));

    public ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken) =>
        ReadAsync(channel, () => _inner.ReadStateAsync(channel, cancellationToken));

    private async ValueTask<T> ReadAsync<T>(string channel, Func<ValueTask<T>> read)
    {
        if (BeforeRead is { } before)
        {
            await before(channel);
        }
        var result = await read();
        if (AfterRead is { } after)
        {
            await after(channel);
        }
        return result;
    }

    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => _inner.IsHealthyAsync(cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    void IBrokerHandler.HandlePublication(Publication publication)
    {
        lock (_lock)
        {
            // Like a clustered broker: only channels this node subscribed to come back to it.
            if (!_subscribed.Contains(publication.Channel))
            {
                return;
            }
        }
        _handler!.HandlePublication(publication);
    }

    void IBrokerHandler.OnBrokerReconnected() => _handler!.OnBrokerReconnected();
}
