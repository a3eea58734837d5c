using System.Text.Json;

namespace Herald.Messages.Presence;

/// <summary>
/// The JSON of a <see cref="PresenceEntry"/>, <c>{"user":…,"connections":…,"info":…,"since":…}</c>:
/// the same in join and leave events and in presence answers, on every protocol.
/// </summary>
public static class PresenceJson
{
    /// <summary>The entry as a standalone JSON object.</summary>
    public static byte[] Serialize(PresenceEntry entry) => JsonBytes.Write(w => Write(w, entry), 128);

    /// <summary>Writes the entry as a JSON object value.</summary>
    public static void Write(Utf8JsonWriter w, PresenceEntry entry)
    {
        w.WriteStartObject();
        w.WriteString("user"u8, entry.UserId);
        w.WriteNumber("connections"u8, entry.Connections);
        w.WritePropertyName("info"u8);
        if (entry.Info.IsEmpty)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteRawValue(entry.Info.Span, skipInputValidation: true);
        }
        w.WriteString("since"u8, entry.Since);
        w.WriteEndObject();
    }
}
