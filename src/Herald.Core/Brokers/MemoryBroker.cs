namespace Herald.Core.Brokers;

/// <summary>
/// The single-node broker: a publication is handed to the local handler on the publishing thread.
/// Keeps the <see cref="IBroker"/> contract: per-channel order comes from a striped lock held
/// while the handler runs, so two concurrent publishers to one channel are delivered in one order
/// to every subscriber, and the handler never runs concurrently for one channel. Subscribe and
/// unsubscribe are no-ops: there is only one node, and the node itself knows its subscribers.
/// </summary>
public sealed class MemoryBroker : IBroker
{
    private const int Stripes = 64;
    private readonly object[] _locks = Enumerable.Range(0, Stripes).Select(_ => new object()).ToArray();
    private IBrokerHandler? _handler;

    public Task StartAsync(IBrokerHandler handler, CancellationToken cancellationToken)
    {
        _handler = handler;
        return Task.CompletedTask;
    }

    public ValueTask PublishAsync(Publication publication, CancellationToken cancellationToken)
    {
        var handler = _handler ?? throw new InvalidOperationException("The broker has not been started.");
        var stripe = _locks[(int)((uint)StringComparer.Ordinal.GetHashCode(publication.Channel) % Stripes)];
        lock (stripe)
        {
            handler.HandlePublication(publication);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_handler is not null);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
