using Herald.Core.Channels;
using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Core;

public sealed partial class Node
{
    /// <summary>Most publications one history request returns.</summary>
    public const int MaxHistoryLimit = 1000;

    private async ValueTask<Publication> PublishCoreAsync(Publication publication, NamespaceOptions options, CancellationToken cancellationToken)
    {
        // The broker assigns the offset and delivers in one step: no lock here, on any node.
        publication = await _broker.PublishAsync(publication, options.HasStream ? options.History : null, cancellationToken).ConfigureAwait(false);
        Metrics.Publication();
        return publication;
    }

    /// <summary>
    /// Starts a subscription, recovering from <paramref name="since"/> and sending latest state where
    /// the namespace keeps them. The subscriber sees every publication of the channel exactly once,
    /// in the answer or live, however many publishers publish meanwhile on whichever node.
    /// </summary>
    /// <remarks>
    /// The subscription is added to the channel first, in the recovering state (after the broker
    /// subscription, so every publication from then on reaches it), and buffers what fan-out
    /// delivers while the position, history and state are read. The answer is then queued, followed
    /// by the buffered publications newer than the answered offset; older ones are in the answer.
    /// </remarks>
    internal async ValueTask SubscribeAsync(Subscription subscription, NamespaceOptions options, StreamPosition? since, Action<SubscribeResult> onSubscribed, CancellationToken cancellationToken)
    {
        var channel = subscription.Channel.Value;
        // What waits in a batch was published before this subscriber came: deliver it to the
        // current subscribers now, so that the new one gets it only through its recovery.
        FlushPending(channel);
        var recovery = subscription.StartRecovery();
        await AddSubscriptionAsync(subscription, options, cancellationToken).ConfigureAwait(false);
        SubscribeResult result;
        try
        {
            result = options.HasStream
                ? await ReadStreamAsync(channel, since, options, subscription.Filter, cancellationToken).ConfigureAwait(false)
                : SubscribeResult.Plain(channel);
        }
        catch
        {
            RemoveSubscription(subscription);
            throw;
        }
        Metrics.MessagesSent(subscription.Client.TransportIndex, recovery.Complete(onSubscribed, result));
        // After the answer: the subscriber's own join comes as its first event.
        await JoinPresenceAsync(subscription, options).ConfigureAwait(false);
    }

    /// <summary>The answer of a subscribe on a channel with a stream: its position, what was missed since <paramref name="since"/>, and its latest state.</summary>
    private async ValueTask<SubscribeResult> ReadStreamAsync(string channel, StreamPosition? since, NamespaceOptions options, TagFilter? filter, CancellationToken cancellationToken)
    {
        StreamPosition position;
        bool? recovered = null;
        IReadOnlyList<Publication> missed = [];
        if (since is { Offset: >= 0 } known && options.HistorySize > 0)
        {
            // One read gives the position and the publications after the client's, consistently.
            var page = await _broker.ReadHistoryAsync(channel, new HistoryQuery(known.Offset, options.HistorySize), cancellationToken).ConfigureAwait(false);
            position = page.Position;
            (recovered, missed) = Recover(known, page);
        }
        else
        {
            position = await _broker.GetPositionAsync(channel, cancellationToken).ConfigureAwait(false);
            // Without history only a client that missed nothing is recovered.
            recovered = since is null ? null : since.Value.Epoch == position.Epoch && since.Value.Offset == position.Offset;
        }
        IReadOnlyList<Publication> state = [];
        if (options.KeepLatestState)
        {
            state = await _broker.ReadStateAsync(channel, cancellationToken).ConfigureAwait(false);
            // Read after the position, state may hold newer publications: those come live, right after the answer.
            if (state.Count > 0 && state[^1].Offset > position.Offset)
            {
                state = state.Where(p => p.Offset <= position.Offset).ToList();
            }
        }
        return new SubscribeResult(channel, position, options.HistorySize > 0, recovered, Filter(missed, filter), Filter(state, filter));
    }

    private static (bool, IReadOnlyList<Publication>) Recover(StreamPosition since, HistoryPage page)
    {
        var position = page.Position;
        if (since.Epoch != position.Epoch || since.Offset > position.Offset)
        {
            return (false, []);
        }
        if (since.Offset == position.Offset)
        {
            return (true, []);
        }
        var items = page.Publications;
        // Recovered only when history still holds every publication after the client's position.
        var complete = items.Count > 0 && items[0].Offset == since.Offset + 1 && items[^1].Offset == position.Offset && !page.HasMore;
        return complete ? (true, items) : (false, []);
    }

    private static IReadOnlyList<Publication> Filter(IReadOnlyList<Publication> publications, TagFilter? filter) =>
        filter is null || publications.Count == 0 ? publications : publications.Where(p => filter.Matches(p.Tags)).ToList();

    /// <summary>
    /// Reads a channel's history (<c>request_history</c>, <c>GET /api/history</c>): publications after
    /// <paramref name="since"/>, or the newest ones when it is null. Authorization is the caller's job.
    /// </summary>
    public async ValueTask<(HistoryPage? Page, HeraldError? Error)> ReadHistoryAsync(string? channel, StreamPosition? since, long? sinceOffset, int? limit, CancellationToken cancellationToken = default)
    {
        if (Namespaces.Resolve(channel, Options.Limits.MaxChannelNameLength, out var name, out var options) is { } error)
        {
            return (null, error);
        }
        if (options.HistorySize == 0)
        {
            return (null, new HeraldError(HeraldErrorCode.NotAvailable, $"namespace '{name.Namespace}' keeps no history"));
        }
        var take = limit ?? Math.Min(options.HistorySize, 100);
        if (take is < 1 or > MaxHistoryLimit)
        {
            return (null, HeraldError.BadRequest($"'limit' must be between 1 and {MaxHistoryLimit}"));
        }
        var offset = since?.Offset ?? sinceOffset;
        if (offset < 0)
        {
            return (null, HeraldError.BadRequest("'since' offset must not be negative"));
        }
        var page = await _broker.ReadHistoryAsync(name.Value, new HistoryQuery(offset, take), cancellationToken).ConfigureAwait(false);
        if (since is { } position && position.Epoch != page.Position.Epoch)
        {
            return (null, new HeraldError(HeraldErrorCode.UnrecoverablePosition, "the channel's epoch changed: its history was lost; refetch the state"));
        }
        if (offset > page.Position.Offset)
        {
            return (null, new HeraldError(HeraldErrorCode.UnrecoverablePosition, $"offset {offset} is ahead of the stream (at {page.Position.Offset}); refetch the state"));
        }
        if (offset is { } o && o < page.Position.Offset && (page.Publications.Count == 0 || page.Publications[0].Offset != o + 1))
        {
            return (null, new HeraldError(HeraldErrorCode.UnrecoverablePosition, "publications after this offset are no longer in history; refetch the state"));
        }
        return (page, null);
    }
}
