using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Core.Brokers;

/// <summary>
/// The in-process broker: keeps the <see cref="IBroker"/> contract among the nodes of one
/// process that share a <see cref="MemoryBrokerBus"/>, and for a single node on a bus of its own
/// (the default). Streams are kept in the bus's <see cref="IHistoryStore"/> (memory or SQLite);
/// the bus serializes appends per channel and delivers on the publishing thread.
/// </summary>
/// <remarks>
/// Two brokers share nothing unless they were created on the same bus. Thread-safe.
/// </remarks>
public sealed class MemoryBroker : IBroker
{
    private readonly MemoryBrokerBus _bus;
    private IBrokerHandler? _handler;
    private volatile bool _interrupted;

    /// <summary>A broker on a bus of its own, over a fresh <see cref="MemoryHistoryStore"/>.</summary>
    public MemoryBroker()
        : this(new MemoryBrokerBus())
    {
    }

    /// <summary>A broker on a bus of its own, over <paramref name="store"/> (which the caller owns).</summary>
    public MemoryBroker(IHistoryStore store)
        : this(new MemoryBrokerBus(store ?? throw new ArgumentNullException(nameof(store))))
    {
    }

    /// <summary>A broker on a shared bus, meeting the other brokers of that bus.</summary>
    public MemoryBroker(MemoryBrokerBus bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        _bus = bus;
    }

    /// <summary>The bus this broker is on.</summary>
    public MemoryBrokerBus Bus => _bus;

    public async Task StartAsync(IBrokerHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        await _bus.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _handler = handler;
    }

    public ValueTask<Publication> PublishAsync(Publication publication, HistoryOptions? stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(publication);
        ThrowIfUnavailable();
        return _bus.PublishAsync(publication, stream, cancellationToken);
    }

    public ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken)
    {
        // Kept while interrupted too, like a client that resubscribes when its connection is back.
        _bus.Subscribe(this, channel);
        return ValueTask.CompletedTask;
    }

    public ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken)
    {
        _bus.Unsubscribe(this, channel);
        return ValueTask.CompletedTask;
    }

    public ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return _bus.Store.GetPositionAsync(channel, cancellationToken);
    }

    public ValueTask<HistoryPage> ReadHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return _bus.Store.ReadAsync(channel, query, cancellationToken);
    }

    public ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return _bus.Store.ReadStateAsync(channel, cancellationToken);
    }

    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_handler is not null && !_interrupted);

    public ValueTask DisposeAsync()
    {
        _bus.Leave(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Called by the bus under the channel's lock.</summary>
    internal void Deliver(Publication publication)
    {
        if (!_interrupted)
        {
            _handler?.HandlePublication(publication);
        }
    }

    /// <summary>Simulates losing the connection: publications of the bus no longer arrive, and publishing and reading fail.</summary>
    internal void Interrupt() => _interrupted = true;

    /// <summary>Simulates the connection coming back: delivery resumes, and the handler is told that publications may be missing.</summary>
    internal void Resume()
    {
        if (!_interrupted)
        {
            return;
        }
        _interrupted = false;
        _handler?.OnBrokerReconnected();
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
}
