using System.Text.Json;
using Herald.Messages;
using Herald.Messages.Requests;
using Herald.Protocol.SocketIO.Internal;

namespace Herald.Protocol.SocketIO;

/// <summary>
/// Turns a Socket.IO event into a Herald request: the event name names it (see
/// <see cref="RequestNames"/>, with its aliases), and the first argument, a JSON object, holds
/// its fields, read by the same <see cref="RequestReader"/> as the native protocol (there,
/// <c>type</c> is accepted for <c>event</c>). Binary attachments become base64 strings: Herald
/// payloads are JSON. Never throws on bad input.
/// </summary>
public static class SocketIORequests
{
    /// <summary>Decodes an event; false with the error to answer when it is not a valid request.</summary>
    public static bool TryDecode(SocketIOPacket packet, out HeraldRequest? request, out HeraldError error)
    {
        ArgumentNullException.ThrowIfNull(packet);
        request = null;
        if (packet.EventName is not { } name || !RequestNames.TryGetSocketIOEvent(name, out var kind))
        {
            error = new HeraldError(HeraldErrorCode.UnknownMessageType, $"unknown event '{RequestReader.Truncate(packet.EventName ?? "")}'");
            return false;
        }
        if (!TryGetFirstArgument(packet, out var argument, out error))
        {
            return false;
        }
        var fields = new RequestFields();
        if (!RequestReader.TryReadObject(argument, fields, typeIsEvent: true, onlyUnset: false, out error))
        {
            return false;
        }
        request = fields.ToRequest(kind, out error);
        return request is not null;
    }

    /// <summary>The raw JSON of the event's first argument, which must be an object.</summary>
    private static bool TryGetFirstArgument(SocketIOPacket packet, out ReadOnlyMemory<byte> argument, out HeraldError error)
    {
        argument = default;
        error = HeraldError.BadRequest("the first argument must be an object such as {\"channel\":\"org:acme\"}");
        try
        {
            var json = packet.IsBinary ? JsonSerializer.SerializeToUtf8Bytes(packet.ResolveArguments(), SocketIOJsonContext.Default.JsonArray) : packet.Arguments;
            var reader = new Utf8JsonReader(json.Span, RequestReader.ReaderOptions);
            // The arguments after the event name: the first must be an object.
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            argument = json[start..(int)reader.BytesConsumed];
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            error = RequestReader.Malformed(ex);
            return false;
        }
    }
}
