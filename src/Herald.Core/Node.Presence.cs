using System.Collections.Concurrent;
using Herald.Core.Channels;
using Herald.Core.Internal;
using Herald.Core.Presence;
using Herald.Messages;
using Herald.Messages.Presence;

namespace Herald.Core;

public sealed partial class Node
{
    /// <summary>Largest presence info (JSON) a connection may attach to a subscription.</summary>
    public const int MaxPresenceInfoBytes = 1024;

    private readonly ConcurrentDictionary<string, ChannelPresence> _presence = new(StringComparer.Ordinal);

    /// <summary>Who is in a channel (on this node), or an error when the namespace keeps no presence.</summary>
    public (IReadOnlyList<PresenceEntry>? Users, HeraldError? Error) GetPresence(string? channel)
    {
        if (Namespaces.Resolve(channel, Options.Limits.MaxChannelNameLength, out var name, out var options) is { } error)
        {
            return (null, error);
        }
        if (!options.Presence)
        {
            return (null, new HeraldError(HeraldErrorCode.NotAvailable, $"namespace '{name.Namespace}' keeps no presence"));
        }
        return (_presence.TryGetValue(name.Value, out var presence) ? presence.Snapshot() : [], null);
    }

    private void JoinPresence(Subscription subscription, NamespaceOptions options)
    {
        if (!options.Presence || subscription.Client.Principal is not { } principal)
        {
            return;
        }
        var channel = subscription.Channel.Value;
        var joined = _presence.GetOrAdd(channel, static _ => new ChannelPresence()).Join(principal.UserId, subscription.Client.Id, subscription.PresenceInfo, Time.GetUtcNow());
        if (joined is not null && options.JoinLeave)
        {
            PublishTransient(channel, "presence.join", joined);
        }
    }

    private void LeavePresence(Subscription subscription, NamespaceOptions? options)
    {
        if (options is not { Presence: true } || subscription.Client.Principal is not { } principal
            || !_presence.TryGetValue(subscription.Channel.Value, out var presence))
        {
            return;
        }
        var left = presence.Leave(principal.UserId, subscription.Client.Id);
        if (presence.IsEmpty)
        {
            _presence.TryRemove(new KeyValuePair<string, ChannelPresence>(subscription.Channel.Value, presence));
        }
        if (left is not null && options.JoinLeave)
        {
            PublishTransient(subscription.Channel.Value, "presence.leave", left);
        }
    }

    /// <summary>Publishes an event through the broker without a place in history (no offset), such as join and leave.</summary>
    private void PublishTransient(string channel, string type, PresenceEntry entry)
    {
        var publication = new Publication
        {
            Id = Publication.NewId(),
            Channel = channel,
            Type = type,
            Data = PresenceJson.Serialize(entry),
            Timestamp = Time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        _ = PublishTransientAsync(publication);
    }

    private async Task PublishTransientAsync(Publication publication)
    {
        try
        {
            await _broker.PublishAsync(publication, stream: null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.BrokerTransientPublishFailed(ex, publication.Type, publication.Channel);
        }
    }
}
