using System.Text.Json;
using Herald.Messages;
using Npgsql;

namespace Herald.Storage.Postgres.Internal;

/// <summary>Turns rows of <see cref="Schema.PublicationsTable.Columns"/> into publications and publications into parameters.</summary>
internal static class PublicationRows
{
    /// <summary>
    /// Reads a publication whose columns start at <paramref name="first"/> in the order of
    /// <see cref="Schema.PublicationsTable.Columns"/>: stream_offset, epoch, id, type, data,
    /// timestamp, state_key, tags.
    /// </summary>
    public static Publication Read(NpgsqlDataReader reader, int first, string channel) => new()
    {
        Channel = channel,
        Offset = reader.IsDBNull(first) ? 0 : reader.GetInt64(first),
        Epoch = reader.IsDBNull(first + 1) ? null : reader.GetString(first + 1),
        Id = reader.GetString(first + 2),
        Type = reader.GetString(first + 3),
        Data = reader.GetFieldValue<byte[]>(first + 4),
        Timestamp = reader.GetInt64(first + 5),
        Key = reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6),
        Tags = reader.IsDBNull(first + 7) ? null : ReadTags(reader.GetString(first + 7)),
    };

    /// <summary>The tags as a JSON object of strings, or null when there are none.</summary>
    public static string? WriteTags(IReadOnlyDictionary<string, string>? tags)
    {
        if (tags is null)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in tags)
            {
                writer.WriteString(key, value);
            }
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static Dictionary<string, string> ReadTags(string json)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            tags[property.Name] = property.Value.GetString() ?? "";
        }
        return tags;
    }

    /// <summary>The payload as a byte array for a <c>bytea</c> parameter, without a copy when it already is one.</summary>
    public static byte[] Data(ReadOnlyMemory<byte> data) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();
}
