using Herald.Core.Channels;
using Herald.Core.History;

namespace Herald.Core;

public sealed partial class Node
{
    /// <summary>Most publications one history request returns.</summary>
    public const int MaxHistoryLimit = 1000;

    private const int GateStripes = 256;
    private readonly SemaphoreSlim[] _gates = Enumerable.Range(0, GateStripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    /// <summary>
    /// The per-channel gate: appends to a channel's stream, their hand-over to the broker, and the
    /// start of a subscription with recovery all run under it, so that offsets reach subscribers in
    /// order and a new subscriber sees every publication exactly once (in its answer or live).
    /// </summary>
    private SemaphoreSlim Gate(string channel) => _gates[(uint)StringComparer.Ordinal.GetHashCode(channel) % GateStripes];

    private async ValueTask<Publication> PublishCoreAsync(Publication publication, NamespaceOptions options, CancellationToken cancellationToken)
    {
        if (!options.HasStream)
        {
            await _broker.PublishAsync(publication, CancellationToken.None).ConfigureAwait(false);
            Metrics.Publication();
            return publication;
        }
        var gate = Gate(publication.Channel);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Once appended, the publication must reach the broker: no cancellation past this point.
            publication = await History.AppendAsync(publication, options.History, CancellationToken.None).ConfigureAwait(false);
            await _broker.PublishAsync(publication, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
        Metrics.Publication();
        return publication;
    }

    /// <summary>Starts a subscription, recovering from <paramref name="since"/> and sending latest state where the namespace keeps them.</summary>
    internal async ValueTask SubscribeAsync(Subscription subscription, NamespaceOptions options, StreamPosition? since, Action<SubscribeResult> onSubscribed, CancellationToken cancellationToken)
    {
        var channel = subscription.Channel.Value;
        var gate = Gate(channel);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!options.HasStream)
            {
                // What waits in a batch was published before this subscriber came: not for it.
                FlushPending(channel);
                // Subscribed at the broker first: the answer is queued only once delivery is sure.
                await AddSubscriptionAsync(subscription, options, cancellationToken).ConfigureAwait(false);
                onSubscribed(SubscribeResult.Plain(channel));
                JoinPresence(subscription, options);
                return;
            }
            // Whatever waits in a batch is in history already: deliver it to the current
            // subscribers now, so the new one gets it only through recovery.
            FlushPending(channel);
            var position = await History.GetPositionAsync(channel, cancellationToken).ConfigureAwait(false);
            bool? recovered = null;
            IReadOnlyList<Publication> missed = [];
            if (since is { } from)
            {
                (recovered, missed) = await RecoverAsync(channel, from, position, options, cancellationToken).ConfigureAwait(false);
            }
            IReadOnlyList<Publication> state = options.KeepLatestState
                ? await History.ReadStateAsync(channel, cancellationToken).ConfigureAwait(false)
                : [];
            var filter = subscription.Filter;
            // Added before the answer is queued (the broker may refuse); no publication of the
            // channel can be fanned out in between, because publishing needs this gate.
            await AddSubscriptionAsync(subscription, options, cancellationToken).ConfigureAwait(false);
            onSubscribed(new SubscribeResult(channel, position, options.HistorySize > 0, recovered, Filter(missed, filter), Filter(state, filter)));
            // After the answer: the subscriber's own join comes as its first event.
            JoinPresence(subscription, options);
        }
        finally
        {
            gate.Release();
        }
    }

    private async ValueTask<(bool, IReadOnlyList<Publication>)> RecoverAsync(string channel, StreamPosition since, StreamPosition position, NamespaceOptions options, CancellationToken cancellationToken)
    {
        if (since.Epoch != position.Epoch || since.Offset > position.Offset || since.Offset < 0)
        {
            return (false, []);
        }
        if (since.Offset == position.Offset)
        {
            return (true, []);
        }
        if (options.HistorySize == 0)
        {
            return (false, []);
        }
        var page = await History.ReadAsync(channel, new HistoryQuery(since.Offset, options.HistorySize), cancellationToken).ConfigureAwait(false);
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
        var page = await History.ReadAsync(name.Value, new HistoryQuery(offset, take), cancellationToken).ConfigureAwait(false);
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
