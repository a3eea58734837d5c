using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Core.Brokers;

/// <summary>
/// Moves publications between the nodes of a cluster and keeps the channels' streams. The node
/// publishes through the broker, reads positions, history and latest state through it, and
/// receives, through <see cref="IBrokerHandler"/>, every publication of every channel it has
/// subscribed to, whichever node published it. The same contract holds in one process
/// (<see cref="MemoryBroker"/>) and across processes (a database or message bus behind it).
/// </summary>
/// <remarks>
/// The contract every implementation keeps, and that the broker compliance suite in
/// tests/Herald.Specification.Tests checks:
/// <list type="bullet">
/// <item>Offsets are assigned by the broker, atomically with the publish: publishing with a
/// <see cref="HistoryOptions"/> places the publication at the channel's next offset and current
/// epoch, keeps it in history, and hands it to the subscribed nodes as one operation. Offsets of
/// one channel are gapless (1, 2, 3 … within an epoch) and strictly increasing, however many
/// publishers on however many nodes publish at once; the node needs no lock of its own for that.</item>
/// <item>Publications without a stream (no <see cref="HistoryOptions"/>: channels that keep no
/// history, and transient events such as presence join and leave) get no offset and no epoch
/// and are not kept.</item>
/// <item>Ordering per channel: on each node, the publications of one channel reach the handler in
/// one total order, the same on every node: the order in which the broker accepted them, which
/// for publications with a stream is the order of their offsets. Calls on different channels are
/// not ordered relative to each other.</item>
/// <item>The handler is never called concurrently for the same channel on one node.</item>
/// <item>Delivery to every node with subscribers: a publication whose <see cref="PublishAsync"/>
/// completed is handed to the handler of every node whose <see cref="SubscribeAsync"/> for its
/// channel had completed (and no <see cref="UnsubscribeAsync"/> followed) before the publish
/// began, unless that node's connection to the broker was interrupted meanwhile. Nodes that did
/// not subscribe to the channel do not receive it.</item>
/// <item>Consistent reads: a publication placed before a read of <see cref="GetPositionAsync"/>,
/// <see cref="ReadHistoryAsync"/> or <see cref="ReadStateAsync"/> began is visible to it; one
/// placed after a node's <see cref="SubscribeAsync"/> completed and not visible to a later read
/// is delivered to that node. This is what lets a subscriber subscribe first, buffer live
/// publications while it reads history, and merge without a gap or a duplicate.</item>
/// <item>At most once: a publication reaches a node's handler at most once, and never again
/// after a reconnect.</item>
/// <item>Reconnect: a broker that loses its connection (to the bus, the database, the other
/// nodes) keeps the node's subscriptions, restores them when the connection is back, and then
/// calls <see cref="IBrokerHandler.OnBrokerReconnected"/>: publications of the time in between may
/// never reach this node, and the node makes its subscribers recover from history. While
/// disconnected, publishing and reading fail with an exception rather than wait forever.</item>
/// </list>
/// Every member is thread-safe. <see cref="PublishAsync"/> may be cancelled only before the
/// publication was accepted: once it has an offset, it is delivered.
/// </remarks>
public interface IBroker : IAsyncDisposable
{
    /// <summary>
    /// Connects (creating or migrating the broker's storage where it has any) and starts
    /// delivering to <paramref name="handler"/>. Called once, before any other member; delivery
    /// to the handler begins only for channels subscribed afterwards.
    /// </summary>
    Task StartAsync(IBrokerHandler handler, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes into the publication's channel. With <paramref name="stream"/>, the broker places
    /// it at the channel's next offset and current epoch and keeps it as the options say; without,
    /// it is delivered as given, with no offset. Completes when the broker has accepted it, with the
    /// publication as delivered (placed at its stream position when it has one).
    /// </summary>
    ValueTask<Publication> PublishAsync(Publication publication, HistoryOptions? stream, CancellationToken cancellationToken);

    /// <summary>
    /// This node now has subscribers of <paramref name="channel"/>. Idempotent. When it completes,
    /// every publication the broker accepts afterwards reaches the handler.
    /// </summary>
    ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken);

    /// <summary>This node no longer has subscribers of <paramref name="channel"/>. Idempotent. Publications already on their way may still arrive.</summary>
    ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken);

    /// <summary>The channel's current stream position, creating its stream (and epoch) when it has none.</summary>
    ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken);

    /// <summary>Reads the channel's retained history (ascending by offset) and, in the same read, its current position.</summary>
    ValueTask<HistoryPage> ReadHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken);

    /// <summary>The newest publication of every key of the channel, in ascending offset order.</summary>
    ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken);

    /// <summary>True when the broker is connected and can deliver (for <c>/ready</c>).</summary>
    ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken);
}

/// <summary>What a broker calls on the local node.</summary>
public interface IBrokerHandler
{
    /// <summary>
    /// A publication arrived for a channel this node subscribed to. Never called concurrently for
    /// one channel; must not block (it runs on the broker's delivery path).
    /// </summary>
    void HandlePublication(Publication publication);

    /// <summary>
    /// The broker lost and regained its connection, and its subscriptions are restored:
    /// publications in between may be missing, so subscribers must recover from history.
    /// </summary>
    void OnBrokerReconnected();
}
