using Herald.Messages.History;

namespace Herald.Messages.Requests;

/// <summary>
/// The fields of one request as <see cref="RequestReader"/> read them, each already checked for
/// its JSON type; <see cref="ToRequest"/> then builds the request of a given kind. Fields not
/// sent are null. Not thread-safe: one per decoded frame.
/// </summary>
public sealed class RequestFields
{
    public string? Channel { get; set; }

    /// <summary>True when <c>filters</c> was present (null or an object).</summary>
    public bool HasFilters { get; set; }

    public Dictionary<string, IReadOnlyList<string>>? Filters { get; set; }

    /// <summary>The token of a <c>connect</c> or <c>refresh</c>.</summary>
    public string? Token { get; set; }

    /// <summary>The API key of a <c>connect</c> (field <c>apiKey</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The publication type of a <c>publish</c> (field <c>event</c>).</summary>
    public string? PublicationType { get; set; }

    public string? Key { get; set; }

    /// <summary>The <c>idempotencyKey</c> of a <c>publish</c>.</summary>
    public string? IdempotencyKey { get; set; }

    public Dictionary<string, string>? Tags { get; set; }

    /// <summary>The <c>since</c> offset of a recovering <c>subscribe</c> or of <c>request_history</c>.</summary>
    public long? SinceOffset { get; set; }

    /// <summary>The <c>since</c> epoch; null when only an offset was given.</summary>
    public string? SinceEpoch { get; set; }

    /// <summary>The presence <c>info</c> of a <c>subscribe</c> (a JSON object), raw; empty when absent.</summary>
    public ReadOnlyMemory<byte> Info { get; set; }

    /// <summary>The <c>limit</c> of <c>request_history</c>.</summary>
    public int? Limit { get; set; }

    /// <summary>The <c>data</c> value as raw UTF-8 JSON (a slice of the frame); empty when absent.</summary>
    public ReadOnlyMemory<byte> Data { get; set; }

    /// <summary>
    /// The request of <paramref name="kind"/> made of these fields, or null with the error when a
    /// field the kind needs in a certain shape is not so.
    /// </summary>
    public HeraldRequest? ToRequest(RequestKind kind, out HeraldError error)
    {
        error = default;
        switch (kind)
        {
            case RequestKind.Connect:
                return new ConnectRequest(Token) { ApiKey = ApiKey };
            case RequestKind.Refresh:
                return new RefreshRequest(Token);
            case RequestKind.Ping:
                return PingRequest.Ping;
            case RequestKind.Pong:
                return PingRequest.Pong;
            case RequestKind.Subscribe:
                if (SinceOffset is not null && SinceEpoch is null)
                {
                    error = HeraldError.BadRequest("'since' needs both 'offset' and 'epoch' to recover");
                    return null;
                }
                return new SubscribeRequest(Channel, Filters, SinceOffset is { } offset ? new StreamPosition(offset, SinceEpoch!) : null, Info);
            case RequestKind.Unsubscribe:
                return ChannelRequest.Unsubscribe(Channel);
            case RequestKind.Presence:
                return ChannelRequest.Presence(Channel);
            case RequestKind.UpdateFilter:
                return new UpdateFilterRequest(Channel, Filters);
            case RequestKind.History:
                return new HistoryRequest(Channel, SinceOffset, SinceEpoch, Limit);
            case RequestKind.Publish:
                if (string.IsNullOrEmpty(PublicationType))
                {
                    error = HeraldError.BadRequest("'event' (the publication type) is required");
                    return null;
                }
                return new PublishRequest(Channel, PublicationType, Data, Tags, Key, IdempotencyKey);
            default:
                error = new HeraldError(HeraldErrorCode.UnknownMessageType, $"unknown request '{kind}'");
                return null;
        }
    }
}
