using System.Text.Json;

namespace Herald.Messages;

/// <summary>
/// The JSON fields of a publication as every protocol shows it: <c>type</c>, <c>channel</c>,
/// <c>data</c> (embedded verbatim), <c>offset</c> and <c>epoch</c> (channels with a stream),
/// <c>timestamp</c>, <c>publicationId</c>, <c>key</c> and <c>tags</c> (when set).
/// </summary>
public static class PublicationJson
{
    /// <summary>Writes the fields into an open JSON object.</summary>
    public static void WriteFields(Utf8JsonWriter w, Publication publication)
    {
        w.WriteString("type"u8, publication.Type);
        w.WriteString("channel"u8, publication.Channel);
        w.WritePropertyName("data"u8);
        w.WriteRawValue(publication.Data.Span, skipInputValidation: true);
        if (publication.Epoch is not null)
        {
            w.WriteNumber("offset"u8, publication.Offset);
            w.WriteString("epoch"u8, publication.Epoch);
        }
        w.WriteString("timestamp"u8, DateTimeOffset.FromUnixTimeMilliseconds(publication.Timestamp).UtcDateTime);
        w.WriteString("publicationId"u8, publication.Id);
        if (publication.Key is not null)
        {
            w.WriteString("key"u8, publication.Key);
        }
        if (publication.Tags is { Count: > 0 } tags)
        {
            w.WriteStartObject("tags"u8);
            foreach (var (name, value) in tags)
            {
                w.WriteString(name, value);
            }
            w.WriteEndObject();
        }
    }

    /// <summary>Writes an array property of publications, each an object of <see cref="WriteFields"/>.</summary>
    public static void WriteArray(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<Publication> publications)
    {
        writer.WriteStartArray(name);
        foreach (var publication in publications)
        {
            writer.WriteStartObject();
            WriteFields(writer, publication);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
