using System.Collections.Concurrent;
using Herald.Core.History;
using Herald.Messages;

namespace Herald.Core.Brokers;

/// <summary>
/// What several <see cref="MemoryBroker"/>s of one process share, standing in for a cluster: the
/// history store that keeps the channels' streams, and which broker subscribed to which channel.
/// Nodes meet only through a bus they were given explicitly; there is no process-wide state.
/// </summary>
/// <remarks>
/// A publish is one step under a per-channel lock of the bus: append to the store (which assigns
/// the offset), then hand the placed publication to the handler of every broker subscribed to the
/// channel, on the publishing thread. So offsets are gapless, every node sees one order, and no
/// handler runs concurrently for one channel. The lock is asynchronous: a handler that publishes
/// into the channel it is handling (a leave caused by a slow consumer) queues behind the running
/// publish instead of re-entering it. Thread-safe.
/// </remarks>
public sealed class MemoryBrokerBus
{
    private const int Stripes = 64;
    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Stripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly ConcurrentDictionary<string, MemoryBroker[]> _subscribers = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private Task? _initialized;

    /// <summary>A bus over <paramref name="store"/>, which the caller owns; over a fresh <see cref="MemoryHistoryStore"/> when null.</summary>
    public MemoryBrokerBus(IHistoryStore? store = null)
    {
        Store = store ?? new MemoryHistoryStore();
    }

    /// <summary>The store every broker of the bus keeps streams in. Appends are serialized by the bus.</summary>
    public IHistoryStore Store { get; }

    /// <summary>Initializes the store once, however many brokers start.</summary>
    internal Task InitializeAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_initialized is null || _initialized.IsFaulted || _initialized.IsCanceled)
            {
                _initialized = Store.InitializeAsync(cancellationToken);
            }
            return _initialized;
        }
    }

    internal async ValueTask<Publication> PublishAsync(Publication publication, HistoryOptions? stream, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(uint)StringComparer.Ordinal.GetHashCode(publication.Channel) % Stripes];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Once appended, the publication must be delivered: no cancellation past this point.
            if (stream is not null)
            {
                publication = await Store.AppendAsync(publication, stream, CancellationToken.None).ConfigureAwait(false);
            }
            if (_subscribers.TryGetValue(publication.Channel, out var brokers))
            {
                foreach (var broker in brokers)
                {
                    broker.Deliver(publication);
                }
            }
            return publication;
        }
        finally
        {
            stripe.Release();
        }
    }

    internal void Subscribe(MemoryBroker broker, string channel)
    {
        lock (_lock)
        {
            var brokers = _subscribers.GetValueOrDefault(channel, []);
            if (Array.IndexOf(brokers, broker) < 0)
            {
                _subscribers[channel] = [.. brokers, broker];
            }
        }
    }

    internal void Unsubscribe(MemoryBroker broker, string channel)
    {
        lock (_lock)
        {
            if (!_subscribers.TryGetValue(channel, out var brokers) || Array.IndexOf(brokers, broker) < 0)
            {
                return;
            }
            var rest = brokers.Where(b => b != broker).ToArray();
            if (rest.Length == 0)
            {
                _subscribers.TryRemove(channel, out _);
            }
            else
            {
                _subscribers[channel] = rest;
            }
        }
    }

    /// <summary>Removes a broker from every channel (when it is disposed).</summary>
    internal void Leave(MemoryBroker broker)
    {
        foreach (var channel in _subscribers.Keys)
        {
            Unsubscribe(broker, channel);
        }
    }
}
