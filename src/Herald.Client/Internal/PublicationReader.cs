using System.Globalization;
using System.Text;
using System.Text.Json;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Presence;

namespace Herald.Client.Internal;

/// <summary>
/// Reads publications, history pages and presence entries from the JSON every protocol writes
/// (<see cref="PublicationJson"/>, <see cref="StreamJson"/>, <see cref="PresenceJson"/>): the
/// HTTP answers and the WebSocket frames alike.
/// </summary>
internal static class PublicationReader
{
    public static Publication Read(JsonElement e, string? channel = null)
    {
        Dictionary<string, string>? tags = null;
        if (e.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Object)
        {
            tags = [];
            foreach (var p in t.EnumerateObject())
            {
                tags[p.Name] = p.Value.GetString() ?? "";
            }
        }
        return new Publication
        {
            Id = Str(e, "publicationId") ?? Str(e, "id") ?? "",
            Channel = Str(e, "channel") ?? channel ?? "",
            Type = Str(e, "type") ?? "",
            Data = e.TryGetProperty("data", out var d) ? Encoding.UTF8.GetBytes(d.GetRawText()) : "null"u8.ToArray(),
            Timestamp = Timestamp(e),
            Key = Str(e, "key"),
            Tags = tags,
            Offset = e.TryGetProperty("offset", out var o) && o.ValueKind == JsonValueKind.Number ? o.GetInt64() : 0,
            Epoch = Str(e, "epoch"),
        };
    }

    public static IReadOnlyList<Publication> ReadArray(JsonElement e, string name, string? channel = null)
    {
        if (!e.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }
        var list = new List<Publication>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            list.Add(Read(item, channel));
        }
        return list;
    }

    public static HistoryPage ReadHistory(JsonElement e)
    {
        var channel = Str(e, "channel");
        var offset = e.TryGetProperty("offset", out var o) && o.ValueKind == JsonValueKind.Number ? o.GetInt64() : 0;
        return new HistoryPage(new StreamPosition(offset, Str(e, "epoch") ?? ""), ReadArray(e, "publications", channel),
            e.TryGetProperty("hasMore", out var more) && more.ValueKind == JsonValueKind.True);
    }

    public static IReadOnlyList<PresenceEntry> ReadUsers(JsonElement e)
    {
        if (!e.TryGetProperty("users", out var users) || users.ValueKind != JsonValueKind.Array)
        {
            return [];
        }
        var list = new List<PresenceEntry>();
        foreach (var u in users.EnumerateArray())
        {
            var info = u.TryGetProperty("info", out var i) && i.ValueKind != JsonValueKind.Null ? Encoding.UTF8.GetBytes(i.GetRawText()) : ReadOnlyMemory<byte>.Empty;
            var since = u.TryGetProperty("since", out var s) && s.ValueKind == JsonValueKind.String ? s.GetDateTimeOffset() : default;
            list.Add(new PresenceEntry(Str(u, "user") ?? "", u.TryGetProperty("connections", out var c) ? c.GetInt32() : 0, info, since));
        }
        return list;
    }

    public static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Timestamp(JsonElement e)
    {
        if (!e.TryGetProperty("timestamp", out var t))
        {
            return 0;
        }
        if (t.ValueKind == JsonValueKind.Number)
        {
            return t.GetInt64();
        }
        return t.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUnixTimeMilliseconds()
            : 0;
    }
}
