using Herald.Messages;

namespace Herald.AspNetCore.Http.Contracts;

/// <summary>The body of <c>POST /api/publish</c>. Field names are case-sensitive; unknown fields are ignored.</summary>
internal sealed record PublishBody : IRequestBody<PublishBody>
{
    /// <summary>Required: the channel to publish into.</summary>
    public string? Channel { get; init; }

    /// <summary>Required: the event type, such as <c>workspace.status</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Required: any JSON value, delivered verbatim.</summary>
    public RawJsonSlice Data { get; init; }

    /// <summary>Optional tags, matched by subscribers' filters.</summary>
    public Dictionary<string, string>? Tags { get; init; }

    /// <summary>Optional key: the channel's latest state keeps one publication per key.</summary>
    public string? Key { get; init; }

    /// <summary>Optional: a retry with the same key within the idempotency window answers the first publication (the <c>Idempotency-Key</c> header does the same).</summary>
    public string? IdempotencyKey { get; init; }

    public static string WrongType(string field, string? member) => PublishFields.WrongType(field, member);

    public HeraldError? Validate() => PublishFields.ValidateTags(Tags);
}

/// <summary>The body of <c>POST /api/broadcast</c>: one event for 1–1000 channels.</summary>
internal sealed record BroadcastBody : IRequestBody<BroadcastBody>
{
    /// <summary>Required: the channels, all validated before anything is published.</summary>
    public List<string>? Channels { get; init; }

    /// <summary>Required: the event type.</summary>
    public string? Type { get; init; }

    /// <summary>Required: any JSON value, delivered verbatim.</summary>
    public RawJsonSlice Data { get; init; }

    /// <summary>Optional tags.</summary>
    public Dictionary<string, string>? Tags { get; init; }

    /// <summary>Optional latest-state key.</summary>
    public string? Key { get; init; }

    /// <summary>Optional: a retry with the same key within the idempotency window answers the first publications.</summary>
    public string? IdempotencyKey { get; init; }

    public static string WrongType(string field, string? member) => PublishFields.WrongType(field, member);

    public HeraldError? Validate() =>
        Channels is null || Channels.Contains(null!)
            ? HeraldError.BadRequest(PublishFields.ChannelsMessage)
            : PublishFields.ValidateTags(Tags);
}

/// <summary>An accepted publication: its id, channel, type and time, and its stream position when the channel keeps one (else <c>null</c>).</summary>
internal sealed record PublishResponse(string Id, string Channel, string Type, DateTimeOffset Timestamp, long? Offset, string? Epoch)
{
    public static PublishResponse From(Publication p) =>
        new(p.Id, p.Channel, p.Type, DateTimeOffset.FromUnixTimeMilliseconds(p.Timestamp), p.Epoch is null ? null : p.Offset, p.Epoch);
}

/// <summary>The publications of a broadcast, in the order of its channels.</summary>
internal sealed record BroadcastResponse(IReadOnlyList<PublishResponse> Publications);

/// <summary>The field rules that publish and broadcast share.</summary>
file static class PublishFields
{
    public const string ChannelsMessage = "'channels' must be an array of strings";

    public static string WrongType(string field, string? member) => field switch
    {
        "tags" when member is not null => $"'tags.{member}' must be a string",
        "tags" => "'tags' must be an object of strings",
        "channels" => ChannelsMessage,
        _ => $"'{field}' must be a string",
    };

    public static HeraldError? ValidateTags(Dictionary<string, string>? tags)
    {
        foreach (var (name, value) in tags ?? [])
        {
            if (value is null)
            {
                return HeraldError.BadRequest($"'tags.{name}' must be a string");
            }
        }
        return null;
    }
}
