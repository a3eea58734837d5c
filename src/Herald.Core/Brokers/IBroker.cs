namespace Herald.Core.Brokers;

/// <summary>
/// Moves publications between the nodes of a cluster (F-SC-1). The node publishes through the
/// broker and receives, through <see cref="IBrokerHandler"/>, every publication of every channel
/// it has subscribed to, whichever node published it.
/// </summary>
/// <remarks>
/// The contract every implementation keeps, and that tests/Herald.Specification.Tests checks:
/// <list type="bullet">
/// <item>Delivery to every node with subscribers: a publication whose <see cref="PublishAsync"/>
/// completed is handed to the handler of every node that had called <see cref="SubscribeAsync"/>
/// for its channel (and not yet <see cref="UnsubscribeAsync"/>) before the publish began.</item>
/// <item>Ordering per channel: on each node, the publications of one channel reach the handler in
/// one total order, the same on every node: the order in which the broker accepted them. Calls
/// on different channels are not ordered relative to each other.</item>
/// <item>The handler is never called concurrently for the same channel on one node.</item>
/// <item>At most once: a publication reaches a node's handler at most once. A node that loses its
/// connection to the broker says so through <see cref="IBrokerHandler.OnBrokerReconnected"/> so that
/// clients can recover from history.</item>
/// </list>
/// </remarks>
public interface IBroker : IAsyncDisposable
{
    /// <summary>Starts delivering to <paramref name="handler"/>. Called once, before any other member.</summary>
    Task StartAsync(IBrokerHandler handler, CancellationToken cancellationToken);

    /// <summary>Publishes into the publication's channel. Completes when the broker has accepted it.</summary>
    ValueTask PublishAsync(Publication publication, CancellationToken cancellationToken);

    /// <summary>This node now has subscribers of <paramref name="channel"/>. Idempotent.</summary>
    ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken);

    /// <summary>This node no longer has subscribers of <paramref name="channel"/>. Idempotent.</summary>
    ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken);

    /// <summary>True when the broker can deliver (for <c>/ready</c>).</summary>
    ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken);
}

/// <summary>What a broker calls on the local node.</summary>
public interface IBrokerHandler
{
    /// <summary>A publication arrived for a channel this node subscribed to.</summary>
    void HandlePublication(Publication publication);

    /// <summary>The broker lost and regained its connection; publications in between may be missing.</summary>
    void OnBrokerReconnected();
}
