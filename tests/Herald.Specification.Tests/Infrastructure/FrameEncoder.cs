using System.Buffers;
using System.Text.Json;
using Herald.Core;
using Herald.Messages;

namespace Herald.Specification.Tests.Infrastructure;

/// <summary>
/// Frames for the test clients of the broker suite: <c>{"id","type","channel","offset","data"}</c>,
/// and a batch as a JSON array of them. Encoder slots are process-wide, so the tests share one.
/// </summary>
internal sealed class FrameEncoder : PublicationEncoder
{
    public static FrameEncoder Instance { get; } = new();

    private FrameEncoder()
    {
    }

    public override byte[] Encode(Publication publication)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", publication.Id);
            writer.WriteString("type", publication.Type);
            writer.WriteString("channel", publication.Channel);
            writer.WriteNumber("offset", publication.Offset);
            writer.WritePropertyName("data");
            writer.WriteRawValue(publication.Data.Span, skipInputValidation: true);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public override byte[] EncodeBatch(string channel, ReadOnlySpan<byte[]> frames) =>
        [(byte)'[', .. frames.ToArray().SelectMany((f, i) => i == 0 ? f : [(byte)',', .. f]), (byte)']'];
}
