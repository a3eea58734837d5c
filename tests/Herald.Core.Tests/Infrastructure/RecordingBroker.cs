using Herald.Core.Brokers;

namespace Herald.Core.Tests.Infrastructure;

/// <summary>
/// A single-node broker like <see cref="MemoryBroker"/> that records which channels the node asked
/// it to subscribe to, and lets a test fail or interleave those calls.
/// </summary>
internal sealed class RecordingBroker : IBroker
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _subscribed = new(StringComparer.Ordinal);
    private IBrokerHandler? _handler;

    /// <summary>Every subscribe/unsubscribe call in the order the broker applied them.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Called at the start of <see cref="SubscribeAsync"/>; may throw to simulate a broker failure.</summary>
    public Action<string>? OnSubscribe { get; set; }

    /// <summary>Called in <see cref="UnsubscribeAsync"/> before the unsubscribe takes effect.</summary>
    public Action<string>? BeforeUnsubscribe { get; set; }

    public bool IsSubscribed(string channel)
    {
        lock (_lock)
        {
            return _subscribed.Contains(channel);
        }
    }

    public Task StartAsync(IBrokerHandler handler, CancellationToken cancellationToken)
    {
        _handler = handler;
        return Task.CompletedTask;
    }

    public ValueTask PublishAsync(Publication publication, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Like a clustered broker: only channels this node subscribed to come back to it.
            if (!_subscribed.Contains(publication.Channel))
            {
                return ValueTask.CompletedTask;
            }
        }
        _handler!.HandlePublication(publication);
        return ValueTask.CompletedTask;
    }

    public ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken)
    {
        OnSubscribe?.Invoke(channel);
        lock (_lock)
        {
            _subscribed.Add(channel);
            Calls.Add($"subscribe {channel}");
        }
        return ValueTask.CompletedTask;
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

    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_handler is not null);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
