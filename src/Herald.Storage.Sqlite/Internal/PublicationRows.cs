using System.Buffers;
using System.Text;
using System.Text.Json;
using Herald.Messages;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite.Internal;

/// <summary>Turns publications into column values and rows back into publications.</summary>
internal static class PublicationRows
{
    /// <summary>
    /// Reads a row of <c>stream_offset, id, type, data, timestamp, state_key, tags</c>. The epoch
    /// is the stream's, not stored per row: a stream keeps one epoch for as long as it has rows.
    /// </summary>
    public static Publication Read(SqliteDataReader reader, string channel, string epoch) => new()
    {
        Channel = channel,
        Offset = reader.GetInt64(0),
        Id = reader.GetString(1),
        Type = reader.GetString(2),
        Data = reader.IsDBNull(3) ? ReadOnlyMemory<byte>.Empty : (byte[])reader.GetValue(3),
        Timestamp = reader.GetInt64(4),
        Key = reader.IsDBNull(5) ? null : reader.GetString(5),
        Tags = reader.IsDBNull(6) ? null : ReadTags(reader.GetString(6)),
        Epoch = epoch,
    };

    /// <summary>Tags as a JSON object of strings, or null when there are none to keep.</summary>
    public static string? WriteTags(IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return null;
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in tags)
            {
                writer.WriteString(name, value);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Dictionary<string, string> ReadTags(string json)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            tags[name] = reader.GetString()!;
        }
        return tags;
    }
}
