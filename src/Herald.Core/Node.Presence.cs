using Herald.Core.Channels;
using Herald.Core.Internal;
using Herald.Messages;
using Herald.Messages.Presence;

namespace Herald.Core;

public sealed partial class Node
{
    /// <summary>Largest presence info (JSON) a connection may attach to a subscription.</summary>
    public const int MaxPresenceInfoBytes = 1024;

    /// <summary>Who is in a channel, on every node of the cluster, or an error when the namespace keeps no presence.</summary>
    public async ValueTask<(IReadOnlyList<PresenceEntry>? Users, HeraldError? Error)> GetPresenceAsync(string? channel, CancellationToken cancellationToken = default)
    {
        if (Namespaces.Resolve(channel, Options.Limits.MaxChannelNameLength, out var name, out var options) is { } error)
        {
            return (null, error);
        }
        if (!options.Presence)
        {
            return (null, new HeraldError(HeraldErrorCode.NotAvailable, $"namespace '{name.Namespace}' keeps no presence"));
        }
        return (await Presence.ListAsync(name.Value, cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>
    /// Adds the subscription's connection to the channel's presence; publishes the join when it is
    /// the user's first connection there in the cluster. A store that fails is logged: the
    /// subscription stays, without presence.
    /// </summary>
    private async ValueTask JoinPresenceAsync(Subscription subscription, NamespaceOptions options, bool again = false)
    {
        if (!options.Presence || subscription.Client.Principal is not { } principal)
        {
            return;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous;
        lock (subscription)
        {
            // A rejoin only restores what was joined; a subscription that left never comes back.
            if (subscription.PresenceLeft || (again && subscription.PresenceTail is null))
            {
                return;
            }
            previous = subscription.PresenceTail ?? Task.CompletedTask;
            subscription.PresenceTail = done.Task;
        }
        try
        {
            await previous.ConfigureAwait(false);
            var channel = subscription.Channel.Value;
            var joined = await Presence.JoinAsync(channel, principal.UserId, subscription.Client.Id, Name, subscription.PresenceInfo, Time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            if (joined is not null && options.JoinLeave)
            {
                PublishTransient(channel, "presence.join", joined);
            }
        }
        catch (Exception ex)
        {
            Logger.PresenceFailed(ex, "join", subscription.Channel.Value);
        }
        finally
        {
            done.SetResult();
        }
    }

    /// <summary>Removes the subscription's connection from presence, after its join; publishes the leave when it was the user's last connection there in the cluster.</summary>
    private void LeavePresence(Subscription subscription, NamespaceOptions? options)
    {
        if (options is not { Presence: true } || subscription.Client.Principal is not { } principal)
        {
            return;
        }
        Task? previous;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (subscription)
        {
            if (subscription.PresenceLeft)
            {
                return;
            }
            subscription.PresenceLeft = true;
            previous = subscription.PresenceTail;
            if (previous is null)
            {
                // It never joined: nothing to leave.
                return;
            }
            subscription.PresenceTail = done.Task;
        }
        _ = LeaveAfterAsync(previous, subscription, principal.UserId, options, done);
    }

    private async Task LeaveAfterAsync(Task previous, Subscription subscription, string userId, NamespaceOptions options, TaskCompletionSource done)
    {
        var channel = subscription.Channel.Value;
        try
        {
            await previous.ConfigureAwait(false);
            var left = await Presence.LeaveAsync(channel, userId, subscription.Client.Id, CancellationToken.None).ConfigureAwait(false);
            if (left is not null && options.JoinLeave)
            {
                PublishTransient(channel, "presence.leave", left);
            }
        }
        catch (Exception ex)
        {
            Logger.PresenceFailed(ex, "leave", channel);
        }
        finally
        {
            done.SetResult();
        }
    }

    /// <summary>
    /// Joins every subscription of this node to presence again, after the cluster took this node
    /// for dead and removed its entries (it was cut off longer than the node timeout).
    /// </summary>
    internal async Task RejoinPresenceAsync()
    {
        var subscriptions = _channels.Values.Where(c => c.Options is { Presence: true }).SelectMany(c => c.Items.Select(s => (s, c.Options!))).ToList();
        Logger.PresenceRejoined(Name, subscriptions.Count);
        foreach (var (subscription, options) in subscriptions)
        {
            await JoinPresenceAsync(subscription, options, again: true).ConfigureAwait(false);
        }
    }

    /// <summary>Removes every presence entry of <paramref name="node"/> and publishes the leaves that causes; returns how many.</summary>
    internal async Task<int> RemoveNodePresenceAsync(string node, CancellationToken cancellationToken)
    {
        var leaves = await Presence.RemoveNodeAsync(node, cancellationToken).ConfigureAwait(false);
        foreach (var (channel, entry) in leaves)
        {
            if (Namespaces.Resolve(channel, Options.Limits.MaxChannelNameLength, out _, out var options) is null && options.JoinLeave)
            {
                PublishTransient(channel, "presence.leave", entry);
            }
        }
        return leaves.Count;
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
