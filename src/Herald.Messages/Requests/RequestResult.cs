using Herald.Messages.History;
using Herald.Messages.Presence;

namespace Herald.Messages.Requests;

/// <summary>
/// The answer to one request, whatever the protocol: an <see cref="Error"/>, or the success of
/// <see cref="Kind"/> with the fields that kind answers with. Codecs turn it into bytes.
/// Immutable.
/// </summary>
public sealed class RequestResult
{
    private RequestResult(RequestKind kind, HeraldError? error = null, string? channel = null)
    {
        Kind = kind;
        Error = error;
        Channel = channel;
    }

    /// <summary>The request this answers.</summary>
    public RequestKind Kind { get; }

    /// <summary>Why the request failed; null on success.</summary>
    public HeraldError? Error { get; }

    /// <summary>The channel the request named, on success (normalized).</summary>
    public string? Channel { get; }

    /// <summary>A <c>connect</c>'s or <c>refresh</c>'s session.</summary>
    public ConnectedSession? Session { get; private init; }

    /// <summary>A <c>subscribe</c>'s position, recovered publications and latest state.</summary>
    public SubscribeResult? Subscribed { get; private init; }

    /// <summary>A <c>request_history</c>'s page.</summary>
    public HistoryPage? History { get; private init; }

    /// <summary>A <c>presence</c>'s users.</summary>
    public IReadOnlyList<PresenceEntry>? Users { get; private init; }

    /// <summary>A <c>publish</c>'s publication, placed in its channel's stream.</summary>
    public Publication? Published { get; private init; }

    public static RequestResult Failed(RequestKind kind, HeraldError error) => new(kind, error);

    public static RequestResult Connected(RequestKind kind, ConnectedSession session) => new(kind) { Session = session };

    public static RequestResult Pong { get; } = new(RequestKind.Ping);

    public static RequestResult Subscribe(SubscribeResult result) => new(RequestKind.Subscribe, channel: result.Channel) { Subscribed = result };

    public static RequestResult Unsubscribed(string channel) => new(RequestKind.Unsubscribe, channel: channel);

    public static RequestResult FilterUpdated(string channel) => new(RequestKind.UpdateFilter, channel: channel);

    public static RequestResult HistoryPage(string channel, HistoryPage page) => new(RequestKind.History, channel: channel) { History = page };

    public static RequestResult Presence(string channel, IReadOnlyList<PresenceEntry> users) => new(RequestKind.Presence, channel: channel) { Users = users };

    public static RequestResult Publish(Publication publication) => new(RequestKind.Publish, channel: publication.Channel) { Published = publication };
}
