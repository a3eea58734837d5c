using System.Text.Json;
using Herald.Messages.Presence;

namespace Herald.Messages.History;

/// <summary>
/// The fields of the answers every protocol writes the same way, into an open JSON object: a
/// subscribe's position and publications, a history page, presence users. The native codec puts
/// them in its answer frame, Socket.IO in its ack object.
/// </summary>
public static class StreamJson
{
    /// <summary><c>channel</c>, and for a channel with a stream <c>offset</c>, <c>epoch</c>, <c>recoverable</c>, <c>recovered</c> (only after <c>since</c>), <c>publications</c>, <c>state</c>.</summary>
    public static void WriteSubscribed(Utf8JsonWriter w, SubscribeResult result)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(result);
        w.WriteString("channel"u8, result.Channel);
        if (result.Position is not { } position)
        {
            return;
        }
        w.WriteNumber("offset"u8, position.Offset);
        w.WriteString("epoch"u8, position.Epoch);
        w.WriteBoolean("recoverable"u8, result.Recoverable);
        if (result.Recovered is { } recovered)
        {
            w.WriteBoolean("recovered"u8, recovered);
        }
        PublicationJson.WriteArray(w, "publications"u8, result.Publications);
        PublicationJson.WriteArray(w, "state"u8, result.State);
    }

    /// <summary><c>channel</c>, <c>offset</c>, <c>epoch</c>, <c>publications</c>, <c>hasMore</c>.</summary>
    public static void WriteHistory(Utf8JsonWriter w, string channel, HistoryPage page)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(page);
        w.WriteString("channel"u8, channel);
        w.WriteNumber("offset"u8, page.Position.Offset);
        w.WriteString("epoch"u8, page.Position.Epoch);
        PublicationJson.WriteArray(w, "publications"u8, page.Publications);
        w.WriteBoolean("hasMore"u8, page.HasMore);
    }

    /// <summary>An array property <c>users</c> of presence entries.</summary>
    public static void WriteUsers(Utf8JsonWriter w, IReadOnlyList<PresenceEntry> users)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(users);
        w.WriteStartArray("users"u8);
        foreach (var user in users)
        {
            PresenceJson.Write(w, user);
        }
        w.WriteEndArray();
    }
}
