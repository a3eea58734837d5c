using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Herald.Messages;

namespace Herald.Core.Tests.Infrastructure;

/// <summary>
/// A publication encoder that counts its calls per publication id; the tests share one instance.
/// Frames are <c>{"id":…,"type":…,"channel":…,"data":…}</c>.
/// </summary>
internal sealed class CountingEncoder : PublicationEncoder
{
    public static CountingEncoder Instance { get; } = new();

    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    private CountingEncoder()
    {
    }

    /// <summary>How many times the publication with this id was encoded.</summary>
    public int CallsFor(string publicationId) => _calls.TryGetValue(publicationId, out var calls) ? calls : 0;

    public override byte[] Encode(Publication publication)
    {
        _calls.AddOrUpdate(publication.Id, 1, static (_, calls) => calls + 1);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", publication.Id);
            writer.WriteString("type", publication.Type);
            writer.WriteString("channel", publication.Channel);
            writer.WritePropertyName("data");
            writer.WriteRawValue(publication.Data.Span, skipInputValidation: true);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A batch as a JSON array of the publications' cached frames.</summary>
    public override byte[] EncodeBatch(string channel, ReadOnlySpan<byte[]> frames)
    {
        var result = new List<byte> { (byte)'[' };
        for (var i = 0; i < frames.Length; i++)
        {
            if (i > 0)
            {
                result.Add((byte)',');
            }
            result.AddRange(frames[i]);
        }
        result.Add((byte)']');
        return [.. result];
    }
}
