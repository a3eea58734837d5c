using System.Text.Json.Serialization;
using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.AspNetCore.Http.Contracts;

/// <summary>
/// <c>GET /api/history</c>: the native <c>history</c> answer without <c>id</c>; page forward with
/// <c>since</c> set to the last offset while <see cref="HasMore"/>.
/// </summary>
internal sealed record HistoryResponse(string Type, string Channel, long Offset, string Epoch, IReadOnlyList<HistoryPublication> Publications, bool HasMore)
{
    public static HistoryResponse From(string channel, HistoryPage page) => new(
        "history", channel, page.Position.Offset, page.Position.Epoch, page.Publications.Select(HistoryPublication.From).ToArray(), page.HasMore);
}

/// <summary>A publication with the fields of a native publication frame; optional ones are left out when not set.</summary>
internal sealed record HistoryPublication
{
    /// <summary>The event type.</summary>
    public required string Type { get; init; }

    public required string Channel { get; init; }

    public required RawJson Data { get; init; }

    /// <summary>The position in the channel's stream, with <see cref="Epoch"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Offset { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Epoch { get; init; }

    /// <summary>UTC, written with a <c>Z</c>, as in publication frames.</summary>
    public required DateTime Timestamp { get; init; }

    public required string PublicationId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    public static HistoryPublication From(Publication p) => new()
    {
        Type = p.Type,
        Channel = p.Channel,
        Data = p.Data,
        Offset = p.Epoch is null ? null : p.Offset,
        Epoch = p.Epoch,
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(p.Timestamp).UtcDateTime,
        PublicationId = p.Id,
        Key = p.Key,
        Tags = p.Tags is { Count: > 0 } tags ? tags : null,
    };
}
