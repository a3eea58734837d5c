using Herald.Core.Internal;
using Herald.Core.Channels;

namespace Herald.Core;

public sealed partial class Node
{
    /// <summary>Longest publication type.</summary>
    public const int MaxTypeLength = 128;

    /// <summary>Longest publication key.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>Most tags on one publication.</summary>
    public const int MaxTags = 32;

    private static readonly HashSet<string> ReservedTypes = new(StringComparer.Ordinal)
    {
        "connect", "connected", "ping", "pong", "subscribe", "subscribed", "unsubscribe", "unsubscribed",
        "update_filter", "filter_updated", "publish", "published", "request_history", "history", "presence",
        "error", "disconnect", "batch",
    };

    /// <summary>
    /// Validates and publishes (F-CH-3). Returns the publication, or the error to answer with.
    /// Authorization is the caller's job (API key scope, or <see cref="Client.PublishAsync"/>).
    /// </summary>
    public async ValueTask<(Publication? Publication, HeraldError? Error)> PublishAsync(PublishRequest request, CancellationToken cancellationToken = default)
    {
        if (Validate(request, out _) is { } error)
        {
            return (null, error);
        }
        var publication = CreatePublication(request);
        await _broker.PublishAsync(publication, cancellationToken).ConfigureAwait(false);
        Metrics.Publication();
        return (publication, null);
    }

    /// <summary>Publishes one event into many channels; validates every channel before publishing any.</summary>
    public async ValueTask<(Publication[]? Publications, HeraldError? Error)> BroadcastAsync(
        IReadOnlyList<string> channels, PublishRequest template, CancellationToken cancellationToken = default)
    {
        if (channels.Count == 0)
        {
            return (null, HeraldError.BadRequest("'channels' must list at least one channel"));
        }
        foreach (var channel in channels)
        {
            if (Validate(template with { Channel = channel }, out _) is { } error)
            {
                return (null, error with { Message = $"{channel}: {error.Message}" });
            }
        }
        var result = new Publication[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            result[i] = CreatePublication(template with { Channel = channels[i] });
            await _broker.PublishAsync(result[i], cancellationToken).ConfigureAwait(false);
            Metrics.Publication();
        }
        return (result, null);
    }

    /// <summary>Checks a publish request's channel, type, key and tags.</summary>
    public HeraldError? Validate(PublishRequest request, out NamespaceOptions options)
    {
        if (Namespaces.Resolve(request.Channel, Options.Limits.MaxChannelNameLength, out _, out options) is { } error)
        {
            return error;
        }
        if (string.IsNullOrEmpty(request.Type))
        {
            return HeraldError.BadRequest("'type' is required");
        }
        if (request.Type.Length > MaxTypeLength)
        {
            return HeraldError.BadRequest($"'type' is longer than {MaxTypeLength} characters");
        }
        foreach (var c in request.Type)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or ':'))
            {
                return HeraldError.BadRequest("'type' may only contain A-Z, a-z, 0-9 and _ . - :");
            }
        }
        if (ReservedTypes.Contains(request.Type))
        {
            return HeraldError.BadRequest($"'type' may not be '{request.Type}': it is a protocol message type");
        }
        if (request.Key is { Length: > MaxKeyLength })
        {
            return HeraldError.BadRequest($"'key' is longer than {MaxKeyLength} characters");
        }
        if (request.Tags is { } tags)
        {
            if (tags.Count > MaxTags)
            {
                return HeraldError.BadRequest($"at most {MaxTags} tags");
            }
            foreach (var (name, value) in tags)
            {
                if (name.Length is 0 or > 64 || value.Length > 256)
                {
                    return HeraldError.BadRequest("tag names must be 1-64 characters and values at most 256");
                }
            }
        }
        if (request.Data.IsEmpty)
        {
            return HeraldError.BadRequest("'data' is required");
        }
        return null;
    }

    private Publication CreatePublication(PublishRequest request) => new()
    {
        Id = Publication.NewId(),
        Channel = request.Channel!,
        Type = request.Type!,
        Data = request.Data,
        Timestamp = Time.GetUtcNow().ToUnixTimeMilliseconds(),
        Key = request.Key,
        Tags = request.Tags,
    };

    /// <summary>Fans a publication out to this node's subscribers of its channel. Called by the broker.</summary>
    public void HandlePublication(Publication publication)
    {
        if (!_channels.TryGetValue(publication.Channel, out var subscribers))
        {
            return;
        }
        var items = subscribers.Items;
        if (items.Length == 0)
        {
            return;
        }
        var prepared = new PreparedPublication(publication);
        long sent = 0;
        foreach (var subscription in items)
        {
            var filter = subscription.Filter;
            if (filter is not null && !filter.Matches(publication.Tags))
            {
                continue;
            }
            var client = subscription.Client;
            if (client.Send(prepared.GetFrame(client.Encoder)))
            {
                sent++;
            }
        }
        Metrics.MessagesSent(sent);
    }

    /// <summary>A clustered broker lost its connection: publications in between may be missing.</summary>
    public void OnBrokerReconnected() => Logger.BrokerReconnected();
}
