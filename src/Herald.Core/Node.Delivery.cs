using System.Collections.Concurrent;
using Herald.Core.Channels;
using Herald.Core.Cluster;
using Herald.Core.Internal;
using Herald.Messages;

namespace Herald.Core;

public sealed partial class Node
{
    private readonly ConcurrentDictionary<string, PendingDelivery> _pending = new(StringComparer.Ordinal);

    /// <summary>
    /// Delivers a publication to this node's subscribers of its channel, as its namespace says:
    /// at once, in a batch, or conflated; a signal of <see cref="ClusterSignals.Channel"/> goes to its
    /// handlers instead. Called by the broker, never concurrently for one channel.
    /// </summary>
    public void HandlePublication(Publication publication)
    {
        if (!_channels.TryGetValue(publication.Channel, out var subscribers) || subscribers.Items.Length == 0)
        {
            // No client can subscribe to the reserved channel: what arrives there is for the node.
            if (publication.Channel == ClusterSignals.Channel)
            {
                Signals.Dispatch(publication);
            }
            return;
        }
        var options = subscribers.Options!;
        switch (options.Delivery)
        {
            case DeliveryMode.Batched:
                while (!Pending(publication.Channel, options).AddToBatch(this, publication))
                {
                }
                break;
            case DeliveryMode.Conflated:
                while (!Pending(publication.Channel, options).AddConflated(this, publication))
                {
                }
                break;
            default:
                FanOut(publication.Channel, Prepare(publication));
                break;
        }
    }

    private PreparedPublication Prepare(Publication publication) => new(publication, Encoders.Count);

    private PendingDelivery Pending(string channel, NamespaceOptions options) =>
        _pending.GetOrAdd(channel, static (c, o) => new PendingDelivery(c, o), options);

    /// <summary>Sends one publication to every matching subscriber, encoded once per encoder.</summary>
    private void FanOut(string channel, PreparedPublication prepared)
    {
        if (!_channels.TryGetValue(channel, out var subscribers))
        {
            return;
        }
        Span<long> sent = stackalloc long[HeraldMetrics.TransportCount];
        var tags = prepared.Publication.Tags;
        foreach (var subscription in subscribers.Items)
        {
            if (subscription.Recovering is { } recovery && recovery.Offer(prepared, ref sent[subscription.Client.TransportIndex]))
            {
                continue;
            }
            var filter = subscription.Filter;
            if (filter is not null && !filter.Matches(tags))
            {
                continue;
            }
            if (subscription.Client.Send(new OutboundFrame(prepared.GetFrame(subscription.Encoder, subscription.EncoderSlot)) { Publication = prepared.Publication }))
            {
                sent[subscription.Client.TransportIndex]++;
            }
        }
        Metrics.MessagesSent(sent);
    }

    /// <summary>Sends a batch: one frame per encoder for unfiltered subscribers, a filtered frame for the others.</summary>
    private void FanOutBatch(string channel, PreparedPublication[] batch)
    {
        if (!_channels.TryGetValue(channel, out var subscribers))
        {
            return;
        }
        var shared = new byte[]?[Encoders.Count];
        Span<long> sent = stackalloc long[HeraldMetrics.TransportCount];
        foreach (var subscription in subscribers.Items)
        {
            if (subscription.Recovering is { } recovery && recovery.Offer(batch, ref sent[subscription.Client.TransportIndex]))
            {
                continue;
            }
            var items = batch;
            if (subscription.Filter is { } filter)
            {
                items = batch.Where(p => filter.Matches(p.Publication.Tags)).ToArray();
                if (items.Length == 0)
                {
                    continue;
                }
            }
            sent[subscription.Client.TransportIndex] += SendBatch(subscription, channel, items, items == batch ? shared : null);
        }
        Metrics.MessagesSent(sent);
    }

    /// <summary>
    /// Sends a batch to one subscriber: one frame, shared with every subscriber of the same encoder
    /// when <paramref name="shared"/> is given; one frame per publication when the encoder frames
    /// them one by one. Returns the publications sent.
    /// </summary>
    internal static int SendBatch(Subscription subscription, string channel, PreparedPublication[] items, byte[]?[]? shared)
    {
        var client = subscription.Client;
        var encoder = subscription.Encoder;
        var slot = subscription.EncoderSlot;
        if (!encoder.SupportsBatches)
        {
            var count = 0;
            foreach (var item in items)
            {
                if (client.Send(new OutboundFrame(item.GetFrame(encoder, slot)) { Publication = item.Publication }))
                {
                    count++;
                }
            }
            return count;
        }
        byte[] frame;
        if (shared is not null && slot < shared.Length)
        {
            frame = shared[slot] ??= EncodeBatch(encoder, slot, channel, items);
        }
        else
        {
            frame = EncodeBatch(encoder, slot, channel, items);
        }
        return client.Send(new OutboundFrame(frame)) ? items.Length : 0;
    }

    private static byte[] EncodeBatch(PublicationEncoder encoder, int slot, string channel, PreparedPublication[] items)
    {
        var frames = new byte[items.Length][];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i] = items[i].GetFrame(encoder, slot);
        }
        return encoder.EncodeBatch(channel, frames);
    }

    /// <summary>Delivers whatever waits for a channel now (before a new subscriber is added, and at shutdown).</summary>
    private void FlushPending(string channel)
    {
        if (_pending.TryGetValue(channel, out var pending))
        {
            pending.Flush(this);
        }
    }

    /// <summary>Delivers every pending batch and conflated update.</summary>
    public void FlushAllPending()
    {
        foreach (var pending in _pending.Values)
        {
            pending.Flush(this);
        }
    }

    /// <summary>
    /// What waits for delivery on one channel: a batch, or the newest unsent publication per key.
    /// All state is guarded by the instance lock; delivery happens under it, so batches and
    /// conflated updates leave in order.
    /// </summary>
    private sealed class PendingDelivery(string channel, NamespaceOptions options)
    {
        private List<PreparedPublication>? _batch;
        private Dictionary<string, Publication>? _latest;
        private bool _windowOpen;
        private bool _removed;

        /// <summary>False when this instance was retired meanwhile: the caller gets a fresh one and retries.</summary>
        public bool AddToBatch(Node node, Publication publication)
        {
            lock (this)
            {
                if (_removed)
                {
                    return false;
                }
                var batch = _batch ??= new List<PreparedPublication>(options.BatchMaxSize);
                batch.Add(node.Prepare(publication));
                if (batch.Count >= options.BatchMaxSize)
                {
                    FlushBatch(node);
                }
                else if (batch.Count == 1)
                {
                    _ = FlushLaterAsync(node, options.BatchMaxDelayMs);
                }
                return true;
            }
        }

        /// <summary>
        /// Conflation with a leading edge: an update outside a window goes at once and opens a
        /// window of <see cref="NamespaceOptions.ConflationIntervalMs"/>; inside it, only the newest
        /// update per key is kept and sent when the window closes.
        /// </summary>
        public bool AddConflated(Node node, Publication publication)
        {
            lock (this)
            {
                if (_removed)
                {
                    return false;
                }
                if (!_windowOpen)
                {
                    _windowOpen = true;
                    node.FanOut(channel, node.Prepare(publication));
                    _ = CloseWindowLaterAsync(node);
                    return true;
                }
                (_latest ??= new Dictionary<string, Publication>(StringComparer.Ordinal))[publication.Key ?? publication.Type] = publication;
                return true;
            }
        }

        public void Flush(Node node)
        {
            lock (this)
            {
                FlushBatch(node);
                FlushLatest(node);
            }
        }

        private void FlushBatch(Node node)
        {
            if (_batch is not { Count: > 0 } batch)
            {
                return;
            }
            _batch = null;
            node.FanOutBatch(channel, [.. batch]);
        }

        private bool FlushLatest(Node node)
        {
            if (_latest is not { Count: > 0 } latest)
            {
                return false;
            }
            _latest = null;
            foreach (var publication in latest.Values.OrderBy(p => p.Offset))
            {
                node.FanOut(channel, node.Prepare(publication));
            }
            return true;
        }

        private async Task FlushLaterAsync(Node node, int delayMs)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delayMs), node.Time).ConfigureAwait(false);
            lock (this)
            {
                FlushBatch(node);
                RetireIfIdle(node);
            }
        }

        /// <summary>Removes this instance from the node once nothing waits, so idle channels cost nothing.</summary>
        private void RetireIfIdle(Node node)
        {
            if (_batch is not { Count: > 0 } && _latest is not { Count: > 0 } && !_windowOpen)
            {
                _removed = true;
                node._pending.TryRemove(new KeyValuePair<string, PendingDelivery>(channel, this));
            }
        }

        private async Task CloseWindowLaterAsync(Node node)
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(options.ConflationIntervalMs), node.Time).ConfigureAwait(false);
                lock (this)
                {
                    // Sending what waited starts a new window; with nothing waiting the window closes.
                    if (!FlushLatest(node))
                    {
                        _windowOpen = false;
                        RetireIfIdle(node);
                        return;
                    }
                }
            }
        }
    }
}
