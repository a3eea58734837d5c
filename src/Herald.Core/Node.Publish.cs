using Herald.Core.Channels;
using Herald.Core.Internal;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Core;

public sealed partial class Node
{
    /// <summary>Longest publication type.</summary>
    public const int MaxTypeLength = 128;

    /// <summary>Longest publication key.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>Most tags on one publication.</summary>
    public const int MaxTags = 32;

    /// <summary>Longest idempotency key of a publish.</summary>
    public const int MaxIdempotencyKeyLength = 256;

    private readonly IdempotencyWindow _idempotency;

    private static readonly HashSet<string> ReservedTypes = new(StringComparer.Ordinal)
    {
        "connect", "connected", "ping", "pong", "subscribe", "subscribed", "unsubscribe", "unsubscribed",
        "update_filter", "filter_updated", "publish", "published", "request_history", "history", "presence",
        "error", "disconnect", "batch", "presence.join", "presence.leave",
        // Socket.IO delivers publications as events named by their type: its reserved names would reach the client's own handlers.
        "connect_error", "disconnecting", "newListener", "removeListener",
    };

    /// <summary>
    /// Validates and publishes. Returns the publication, or the error to answer with.
    /// Authorization is the caller's job (API key scope, or <see cref="Client.PublishAsync"/>).
    /// </summary>
    public async ValueTask<(Publication? Publication, HeraldError? Error)> PublishAsync(PublishRequest request, CancellationToken cancellationToken = default)
    {
        using var activity = HeraldTracing.Source.StartActivity("herald.publish", System.Diagnostics.ActivityKind.Producer);
        activity?.SetTag("herald.channel", request.Channel);
        activity?.SetTag("herald.publication.type", request.Type);
        if (Validate(request, out var options) is { } error)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error.Message);
            return (null, error);
        }
        var publication = await PublishOnceAsync(request, options, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("herald.offset", publication.Offset);
        return (publication, null);
    }

    /// <summary>Publishes a validated request; one that carries an idempotency key at most once per window.</summary>
    private ValueTask<Publication> PublishOnceAsync(PublishRequest request, NamespaceOptions options, CancellationToken cancellationToken) =>
        request.IdempotencyKey is { } key
            ? _idempotency.PublishOnceAsync(request.Channel!, key, (Node: this, request, options, cancellationToken),
                static s => s.Node.PublishCoreAsync(s.Node.CreatePublication(s.request), s.options, s.cancellationToken))
            : PublishCoreAsync(CreatePublication(request), options, cancellationToken);

    /// <summary>Publishes one event into many channels; validates every channel before publishing any.</summary>
    public async ValueTask<(Publication[]? Publications, HeraldError? Error)> BroadcastAsync(
        IReadOnlyList<string> channels, PublishRequest template, CancellationToken cancellationToken = default)
    {
        if (channels.Count == 0)
        {
            return (null, HeraldError.BadRequest("'channels' must list at least one channel"));
        }
        var options = new NamespaceOptions[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            if (Validate(template with { Channel = channels[i] }, out options[i]) is { } error)
            {
                return (null, error with { Message = $"{channels[i]}: {error.Message}" });
            }
        }
        var result = new Publication[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            result[i] = await PublishOnceAsync(template with { Channel = channels[i] }, options[i], cancellationToken).ConfigureAwait(false);
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
        switch (Internal.TypeNameRule.Check(request.Type))
        {
            case Internal.TypeNameProblem.Missing:
                return HeraldError.BadRequest("'type' is required");
            case Internal.TypeNameProblem.TooLong:
                return HeraldError.BadRequest($"'type' is longer than {MaxTypeLength} characters");
            case Internal.TypeNameProblem.InvalidCharacter:
                return HeraldError.BadRequest("'type' may only contain A-Z, a-z, 0-9 and _ . - :");
        }
        // The rule above has refused a missing type.
        if (ReservedTypes.Contains(request.Type!))
        {
            return HeraldError.BadRequest($"'type' may not be '{request.Type}': it is a protocol message type");
        }
        if (request.Key is { Length: > MaxKeyLength })
        {
            return HeraldError.BadRequest($"'key' is longer than {MaxKeyLength} characters");
        }
        if (request.IdempotencyKey is { } idempotencyKey && idempotencyKey.Length is 0 or > MaxIdempotencyKeyLength)
        {
            return HeraldError.BadRequest($"'idempotencyKey' must be 1-{MaxIdempotencyKeyLength} characters");
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
        Data = OneLine(request.Data),
        Timestamp = Time.GetUtcNow().ToUnixTimeMilliseconds(),
        Key = request.Key,
        Tags = request.Tags,
    };

    /// <summary>
    /// Replaces raw CR and LF bytes with spaces. In valid JSON they can only be insignificant
    /// whitespace (inside strings they must be escaped), so the value is unchanged, and every frame,
    /// including an SSE <c>data:</c> line, holds the publication on one line.
    /// </summary>
    private static ReadOnlyMemory<byte> OneLine(ReadOnlyMemory<byte> data)
    {
        if (data.Span.IndexOfAny((byte)'\r', (byte)'\n') < 0)
        {
            return data;
        }
        var copy = data.ToArray();
        copy.AsSpan().Replace((byte)'\r', (byte)' ');
        copy.AsSpan().Replace((byte)'\n', (byte)' ');
        return copy;
    }

    /// <summary>
    /// The broker lost its connection and has it back: publications of the time in between may
    /// never arrive here. Every client with a subscription on a channel with a stream is
    /// disconnected with <see cref="DisconnectCode.BrokerInterrupted"/>, so that it reconnects and
    /// recovers from its last position instead of going on with a silent gap. Channels without a
    /// stream keep their subscribers: they have no positions, nothing could be recovered, and
    /// their delivery is at most once anyway.
    /// </summary>
    public void OnBrokerReconnected()
    {
        var disconnected = 0;
        foreach (var (_, subscribers) in _channels)
        {
            if (subscribers.Options is not { HasStream: true })
            {
                continue;
            }
            foreach (var subscription in subscribers.Items)
            {
                if (subscription.Client.DisconnectCode is null)
                {
                    subscription.Client.Disconnect(DisconnectCode.BrokerInterrupted);
                    disconnected++;
                }
            }
        }
        Logger.BrokerReconnected(disconnected);
    }
}
