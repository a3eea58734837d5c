using Herald.Core.Auth;
using Herald.Core.Channels;
using Herald.Core.Internal;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Requests;

namespace Herald.Core;

public sealed partial class Client
{
    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);

    /// <summary>The channels this client is subscribed to.</summary>
    public IReadOnlyCollection<string> Channels
    {
        get
        {
            lock (_subscriptions)
            {
                return [.. _subscriptions.Keys];
            }
        }
    }

    /// <summary>Subscribes without recovery, for callers that need no answer (embedding code, tests).</summary>
    public ValueTask<HeraldError?> SubscribeAsync(string? channel, TagFilter? filter = null, CancellationToken cancellationToken = default) =>
        SubscribeAsync(channel, filter, since: null, static _ => { }, cancellationToken);

    /// <summary>
    /// Subscribes to a channel (the <c>subscribe</c> request): checks the name, the namespace, the scope
    /// and the per-connection limit, then starts delivery. Returns null on success or the error to answer.
    /// </summary>
    /// <remarks>
    /// <paramref name="onSubscribed"/> runs before any live publication of the channel can be
    /// queued for this client, so the answer it queues (with recovered publications and state)
    /// comes first, with no gap and no duplicate between it and the live stream.
    /// </remarks>
    public async ValueTask<HeraldError?> SubscribeAsync(string? channel, TagFilter? filter, StreamPosition? since, Action<SubscribeResult> onSubscribed, CancellationToken cancellationToken = default, ReadOnlyMemory<byte> presenceInfo = default, DeliveryTarget? target = null)
    {
        if (presenceInfo.Length > Node.MaxPresenceInfoBytes)
        {
            return HeraldError.BadRequest($"'info' is larger than {Node.MaxPresenceInfoBytes} bytes");
        }
        if (Authorize(channel, out var name, out var options) is { } error)
        {
            return error;
        }
        Subscription subscription;
        lock (_subscriptions)
        {
            if (_subscriptions.ContainsKey(name.Value))
            {
                return new HeraldError(HeraldErrorCode.AlreadySubscribed, $"already subscribed to '{name.Value}'");
            }
            if (_subscriptions.Count >= _node.Options.Limits.MaxSubscriptionsPerConnection)
            {
                return new HeraldError(HeraldErrorCode.LimitExceeded, $"at most {_node.Options.Limits.MaxSubscriptionsPerConnection} subscriptions per connection");
            }
            var route = target ?? new DeliveryTarget(Encoder);
            subscription = new Subscription(this, name, filter, presenceInfo, route, _node.Encoders.SlotOf(route.Encoder));
            _subscriptions.Add(name.Value, subscription);
        }
        try
        {
            await _node.SubscribeAsync(subscription, options, since, onSubscribed, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_subscriptions)
            {
                _subscriptions.Remove(name.Value);
            }
            throw;
        }
        if (IsClosed || _disconnectCode != 0)
        {
            // Disconnected while subscribing: make sure the node does not keep the subscription.
            _node.RemoveSubscription(subscription);
        }
        _node.Logger.Subscribed(Id, name.Value);
        return null;
    }

    /// <summary>Stops delivery of a channel (<c>unsubscribe</c>).</summary>
    public HeraldError? Unsubscribe(string? channel) => Unsubscribe(channel, out _);

    /// <summary>Stops delivery of a channel (<c>unsubscribe</c>); <paramref name="unsubscribed"/> is its normalized name.</summary>
    public HeraldError? Unsubscribe(string? channel, out string? unsubscribed)
    {
        unsubscribed = null;
        if (!ChannelName.TryParse(channel, _node.Options.Limits.MaxChannelNameLength, out var name, out var parseError))
        {
            return new HeraldError(HeraldErrorCode.InvalidChannel, parseError);
        }
        unsubscribed = name.Value;
        Subscription? subscription;
        lock (_subscriptions)
        {
            if (!_subscriptions.Remove(name.Value, out subscription))
            {
                return new HeraldError(HeraldErrorCode.NotSubscribed, $"not subscribed to '{name.Value}'");
            }
        }
        _node.RemoveSubscription(subscription);
        return null;
    }

    /// <summary>Replaces the filter of an existing subscription (<c>update_filter</c>); null clears it.</summary>
    public HeraldError? UpdateFilter(string? channel, TagFilter? filter) => UpdateFilter(channel, filter, out _);

    /// <summary>Replaces the filter of an existing subscription; <paramref name="updated"/> is the channel's normalized name.</summary>
    public HeraldError? UpdateFilter(string? channel, TagFilter? filter, out string? updated)
    {
        updated = null;
        if (!ChannelName.TryParse(channel, _node.Options.Limits.MaxChannelNameLength, out var name, out var parseError))
        {
            return new HeraldError(HeraldErrorCode.InvalidChannel, parseError);
        }
        updated = name.Value;
        lock (_subscriptions)
        {
            if (!_subscriptions.TryGetValue(name.Value, out var subscription))
            {
                return new HeraldError(HeraldErrorCode.NotSubscribed, $"not subscribed to '{name.Value}'");
            }
            subscription.Filter = filter;
        }
        return null;
    }

    /// <summary>Publishes from the connection (<c>publish</c>), where the namespace allows clients to.</summary>
    public async ValueTask<(Publication? Publication, HeraldError? Error)> PublishAsync(PublishRequest request, CancellationToken cancellationToken = default)
    {
        if (Authorize(request.Channel, out _, out var options) is { } error)
        {
            return (null, error);
        }
        if (!options.AllowPublish)
        {
            return (null, new HeraldError(HeraldErrorCode.NotAvailable, "clients may not publish into this namespace"));
        }
        return await _node.PublishAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends every subscription made in one <see cref="DeliveryTarget.Scope"/> (a Socket.IO namespace the client left).</summary>
    public void UnsubscribeAll(string scope)
    {
        Subscription[] leaving;
        lock (_subscriptions)
        {
            leaving = _subscriptions.Values.Where(s => s.Target.Scope == scope).ToArray();
            foreach (var subscription in leaving)
            {
                _subscriptions.Remove(subscription.Channel.Value);
            }
        }
        foreach (var subscription in leaving)
        {
            _node.RemoveSubscription(subscription);
        }
    }

    /// <summary>Checks that the authenticated user may read the channel.</summary>
    public HeraldError? Authorize(string? channel, out ChannelName name, out NamespaceOptions options)
    {
        if (_node.Namespaces.Resolve(channel, _node.Options.Limits.MaxChannelNameLength, out name, out options) is { } error)
        {
            return error;
        }
        if (Principal is null)
        {
            return new HeraldError(HeraldErrorCode.Unauthorized, NotAuthenticated);
        }
        if (!ChannelAuthorizer.CanRead(Principal, name, options))
        {
            return new HeraldError(HeraldErrorCode.PermissionDenied, $"permission denied for channel '{name.Value}'");
        }
        return null;
    }

    /// <summary>
    /// Ends the subscriptions that <see cref="Principal"/> no longer allows (after a token
    /// refresh narrowed the grants), telling the transport through <see cref="SubscriptionEnded"/>.
    /// </summary>
    private void EndDisallowedSubscriptions()
    {
        var principal = Principal!;
        List<Subscription>? ended = null;
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions.Values)
            {
                if (_node.Namespaces.Resolve(subscription.Channel.Value, int.MaxValue, out _, out var options) is not null
                    || !ChannelAuthorizer.CanRead(principal, subscription.Channel, options))
                {
                    (ended ??= []).Add(subscription);
                }
            }
            foreach (var subscription in ended ?? [])
            {
                _subscriptions.Remove(subscription.Channel.Value);
            }
        }
        foreach (var subscription in ended ?? [])
        {
            _node.RemoveSubscription(subscription);
            SubscriptionEnded?.Invoke(subscription.Channel.Value, new HeraldError(HeraldErrorCode.SubscriptionRevoked, $"the refreshed token does not allow '{subscription.Channel.Value}'"));
        }
    }

    /// <summary>Removes every subscription (on disconnect).</summary>
    internal Subscription[] TakeSubscriptions()
    {
        lock (_subscriptions)
        {
            var all = _subscriptions.Values.ToArray();
            _subscriptions.Clear();
            return all;
        }
    }
}
