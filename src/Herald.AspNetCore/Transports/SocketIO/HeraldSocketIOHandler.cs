using System.Text.Json;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Core.Channels;
using Herald.Core.History;
using Herald.Protocol;
using Herald.Protocol.SocketIO;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>
/// Herald behind Socket.IO: the <c>auth.token</c> of a namespace CONNECT (or the handshake's
/// <c>token</c>) is the JWT, checked as on <c>/ws</c>; the events <c>subscribe</c>,
/// <c>unsubscribe</c>, <c>update_filter</c>, <c>publish</c>, <c>presence</c> and <c>history</c>
/// answer through their ack with <c>{"ok":true,…}</c> or <c>{"ok":false,"error":{code,message}}</c>;
/// <c>echo</c> acks its arguments back (binary included). Publications arrive as events named by
/// their type. An event without an ack that fails is reported as an <c>error</c> event.
/// </summary>
public sealed class HeraldSocketIOHandler(Node node, ILogger logger) : ISocketIOHandler
{
    public async ValueTask<SocketIOConnectResult> ConnectAsync(SocketIOSocket socket, ReadOnlyMemory<byte> auth)
    {
        var client = socket.Client;
        if (client.Principal is not null)
        {
            // Another namespace of an authenticated session.
            return SocketIOConnectResult.Accept();
        }
        var token = socket.Session.HandshakeToken;
        if (!auth.IsEmpty)
        {
            using var document = JsonDocument.Parse(auth);
            if (document.RootElement.TryGetProperty("token", out var value) && value.ValueKind == JsonValueKind.String)
            {
                token = value.GetString();
            }
        }
        var result = await node.Tokens.ValidateAsync(token).ConfigureAwait(false);
        if (!result.IsValid)
        {
            logger.Refused(client.Id, result.Message);
            return SocketIOConnectResult.Refuse(result.Message, ErrorData(result.Error));
        }
        if (client.Authenticate(result.Principal!) is not null)
        {
            return SocketIOConnectResult.Refuse($"user has the maximum of {node.Options.Limits.MaxConnectionsPerUser} connections", ErrorData(HeraldErrorCode.LimitExceeded));
        }
        return SocketIOConnectResult.Accept();
    }

    public void OnConnected(SocketIOSocket socket)
    {
    }

    /// <summary>The client left a namespace: the subscriptions made through it end (a closing session ends them all anyway).</summary>
    public void OnDisconnect(SocketIOSocket socket) => socket.Client.UnsubscribeAll(socket.Encoder);

    public async ValueTask OnEventAsync(SocketIOSocket socket, SocketIOPacket packet)
    {
        if (packet.EventName == "echo")
        {
            Echo(socket, packet);
            return;
        }
        JsonElement argument;
        try
        {
            argument = FirstArgument(packet);
        }
        catch (JsonException)
        {
            Fail(socket, packet, HeraldError.BadRequest("the first argument must be a JSON object"));
            return;
        }
        if (argument.ValueKind != JsonValueKind.Object)
        {
            Fail(socket, packet, HeraldError.BadRequest("the first argument must be an object such as {\"channel\":\"org:acme\"}"));
            return;
        }
        var client = socket.Client;
        var channel = argument.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        switch (packet.EventName)
        {
            case "subscribe":
                await SubscribeAsync(socket, packet, argument, channel).ConfigureAwait(false);
                return;
            case "unsubscribe":
                Answer(socket, packet, client.Unsubscribe(channel), w => w.WriteString("channel"u8, channel));
                return;
            case "update_filter":
            {
                if (ReadFilter(argument, out var filter) is { } filterError)
                {
                    Fail(socket, packet, filterError);
                    return;
                }
                Answer(socket, packet, client.UpdateFilter(channel, filter), w => w.WriteString("channel"u8, channel));
                return;
            }
            case "publish":
                await PublishAsync(socket, packet, argument, channel).ConfigureAwait(false);
                return;
            case "presence":
            {
                if (client.Authorize(channel, out var name, out _) is { } denied)
                {
                    Fail(socket, packet, denied);
                    return;
                }
                var (users, presenceError) = node.GetPresence(name.Value);
                Answer(socket, packet, presenceError, w =>
                {
                    w.WriteString("channel"u8, name.Value);
                    w.WriteStartArray("users"u8);
                    foreach (var user in users ?? [])
                    {
                        Node.WritePresence(w, user);
                    }
                    w.WriteEndArray();
                });
                return;
            }
            case "history":
            case "request_history":
            {
                if (client.Authorize(channel, out var name, out _) is { } denied)
                {
                    Fail(socket, packet, denied);
                    return;
                }
                if (ReadSince(argument, out var since, out var sinceOffset) is { } sinceError)
                {
                    Fail(socket, packet, sinceError);
                    return;
                }
                int? limit = null;
                if (argument.TryGetProperty("limit", out var l) && l.ValueKind != JsonValueKind.Null)
                {
                    if (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out var n))
                    {
                        Fail(socket, packet, HeraldError.BadRequest("'limit' must be an integer"));
                        return;
                    }
                    limit = n;
                }
                var (page, historyError) = await node.ReadHistoryAsync(name.Value, since, sinceOffset, limit).ConfigureAwait(false);
                Answer(socket, packet, historyError, w =>
                {
                    w.WriteString("channel"u8, name.Value);
                    w.WriteNumber("offset"u8, page!.Position.Offset);
                    w.WriteString("epoch"u8, page.Position.Epoch);
                    NativeCodec.WritePublications(w, "publications"u8, page.Publications);
                    w.WriteBoolean("hasMore"u8, page.HasMore);
                });
                return;
            }
            default:
                Fail(socket, packet, new HeraldError(HeraldErrorCode.UnknownMessageType, $"unknown event '{packet.EventName}'"));
                return;
        }
    }

    private async ValueTask SubscribeAsync(SocketIOSocket socket, SocketIOPacket packet, JsonElement argument, string? channel)
    {
        if (ReadFilter(argument, out var filter) is { } filterError)
        {
            Fail(socket, packet, filterError);
            return;
        }
        if (ReadSince(argument, out var since, out var sinceOffset) is { } sinceError || (sinceOffset is not null && since is null))
        {
            Fail(socket, packet, HeraldError.BadRequest("'since' must be {\"offset\": integer >= 0, \"epoch\": string}"));
            return;
        }
        ReadOnlyMemory<byte> info = default;
        if (argument.TryGetProperty("info", out var infoElement) && infoElement.ValueKind != JsonValueKind.Null)
        {
            if (infoElement.ValueKind != JsonValueKind.Object)
            {
                Fail(socket, packet, HeraldError.BadRequest("'info' must be a JSON object"));
                return;
            }
            info = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(infoElement).ToArray();
        }
        var error = await socket.Client.SubscribeAsync(channel, filter, since, result =>
        {
            // Runs before any live publication of the channel can be queued: the ack comes first.
            if (packet.AckId is { } ackId)
            {
                socket.Ack(ackId, Ok(w => WriteSubscribed(w, result)));
            }
        }, presenceInfo: info, encoder: socket.Encoder).ConfigureAwait(false);
        if (error is { } e)
        {
            Fail(socket, packet, e);
        }
    }

    private async ValueTask PublishAsync(SocketIOSocket socket, SocketIOPacket packet, JsonElement argument, string? channel)
    {
        var type = argument.TryGetProperty("event", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
            : argument.TryGetProperty("type", out var t2) && t2.ValueKind == JsonValueKind.String ? t2.GetString() : null;
        if (type is null)
        {
            Fail(socket, packet, HeraldError.BadRequest("'event' (the publication type) is required"));
            return;
        }
        if (!argument.TryGetProperty("data", out var data))
        {
            Fail(socket, packet, HeraldError.BadRequest("'data' is required"));
            return;
        }
        Dictionary<string, string>? tags = null;
        if (argument.TryGetProperty("tags", out var tagsElement) && tagsElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            Fail(socket, packet, HeraldError.BadRequest("'tags' must be an object of strings"));
            return;
        }
        if (tagsElement.ValueKind == JsonValueKind.Object)
        {
            tags = [];
            foreach (var tag in tagsElement.EnumerateObject())
            {
                if (tag.Value.ValueKind != JsonValueKind.String)
                {
                    Fail(socket, packet, HeraldError.BadRequest($"tag '{tag.Name}' must be a string"));
                    return;
                }
                tags[tag.Name] = tag.Value.GetString()!;
            }
        }
        if (argument.TryGetProperty("key", out var k) && k.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            Fail(socket, packet, HeraldError.BadRequest("'key' must be a string"));
            return;
        }
        var key = k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(data);
        if (raw.Length > node.Options.Limits.MaxFrameBytes)
        {
            Fail(socket, packet, new HeraldError(HeraldErrorCode.MessageTooLarge, $"'data' is larger than {node.Options.Limits.MaxFrameBytes} bytes"));
            return;
        }
        var request = new PublishRequest(channel, type, raw.ToArray(), tags, key);
        var (publication, error) = await socket.Client.PublishAsync(request).ConfigureAwait(false);
        Answer(socket, packet, error, w =>
        {
            w.WriteString("channel"u8, publication!.Channel);
            w.WriteString("publicationId"u8, publication.Id);
            if (publication.Epoch is not null)
            {
                w.WriteNumber("offset"u8, publication.Offset);
                w.WriteString("epoch"u8, publication.Epoch);
            }
        });
    }

    /// <summary>Acks the arguments back unchanged, binary attachments included: a round trip for clients to check the link.</summary>
    private static void Echo(SocketIOSocket socket, SocketIOPacket packet)
    {
        if (packet.AckId is not { } ackId)
        {
            return;
        }
        if (packet.Attachments.Count > 0)
        {
            socket.Ack(ackId, packet.Arguments.Span, packet.Attachments.Select(a => (ReadOnlyMemory<byte>)a).ToList());
        }
        else
        {
            socket.Ack(ackId, packet.Arguments.Span);
        }
    }

    /// <summary>The first event argument; binary attachments become base64 strings (Herald payloads are JSON).</summary>
    private static JsonElement FirstArgument(SocketIOPacket packet)
    {
        var json = packet.IsBinary ? JsonSerializer.SerializeToUtf8Bytes(packet.ResolveArguments()) : packet.Arguments.ToArray();
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() > 0
            ? document.RootElement[0].Clone()
            : default;
    }

    private static HeraldError? ReadFilter(JsonElement argument, out TagFilter? filter)
    {
        filter = null;
        if (!argument.TryGetProperty("filters", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            return HeraldError.BadRequest("'filters' must be an object mapping tag names to arrays of strings");
        }
        var filters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var tag in element.EnumerateObject())
        {
            if (tag.Value.ValueKind == JsonValueKind.String)
            {
                filters[tag.Name] = [tag.Value.GetString()!];
            }
            else if (tag.Value.ValueKind == JsonValueKind.Array && tag.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
            {
                filters[tag.Name] = tag.Value.EnumerateArray().Select(v => v.GetString()!).ToList();
            }
            else
            {
                return HeraldError.BadRequest($"filter '{tag.Name}' must be an array of strings");
            }
        }
        filter = TagFilter.Create(filters, out var error);
        return error is null ? null : HeraldError.BadRequest(error);
    }

    private static HeraldError? ReadSince(JsonElement argument, out StreamPosition? since, out long? offset)
    {
        since = null;
        offset = null;
        if (!argument.TryGetProperty("since", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("offset", out var o) || !o.TryGetInt64(out var value) || value < 0)
        {
            return HeraldError.BadRequest("'since' must be {\"offset\": integer >= 0, \"epoch\": string}");
        }
        offset = value;
        if (element.TryGetProperty("epoch", out var epoch) && epoch.ValueKind == JsonValueKind.String)
        {
            since = new StreamPosition(value, epoch.GetString()!);
        }
        return null;
    }

    private static void WriteSubscribed(Utf8JsonWriter w, SubscribeResult result)
    {
        w.WriteString("channel"u8, result.Channel);
        if (result.Position is { } position)
        {
            w.WriteNumber("offset"u8, position.Offset);
            w.WriteString("epoch"u8, position.Epoch);
            w.WriteBoolean("recoverable"u8, result.Recoverable);
            if (result.Recovered is { } recovered)
            {
                w.WriteBoolean("recovered"u8, recovered);
            }
            NativeCodec.WritePublications(w, "publications"u8, result.Publications);
            NativeCodec.WritePublications(w, "state"u8, result.State);
        }
    }

    private void Answer(SocketIOSocket socket, SocketIOPacket packet, HeraldError? error, Action<Utf8JsonWriter> ok)
    {
        if (error is { } e)
        {
            Fail(socket, packet, e);
        }
        else if (packet.AckId is { } ackId)
        {
            socket.Ack(ackId, Ok(ok));
        }
    }

    private void Fail(SocketIOSocket socket, SocketIOPacket packet, HeraldError error)
    {
        logger.RequestFailed(socket.Client.Id, (int)error.Code, error.Message);
        var body = JsonBytes.Write(w =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteBoolean("ok"u8, false);
            w.WriteStartObject("error"u8);
            w.WriteNumber("code"u8, (int)error.Code);
            w.WriteString("message"u8, error.Message);
            w.WriteEndObject();
            if (packet.EventName is { } name)
            {
                w.WriteString("event"u8, name);
            }
            w.WriteEndObject();
            w.WriteEndArray();
        });
        if (packet.AckId is { } ackId)
        {
            socket.Ack(ackId, body);
        }
        else
        {
            socket.Emit("error", body);
        }
    }

    private static byte[] Ok(Action<Utf8JsonWriter> fields) => JsonBytes.Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteBoolean("ok"u8, true);
        fields(w);
        w.WriteEndObject();
        w.WriteEndArray();
    });

    private static byte[] ErrorData(HeraldErrorCode code) => JsonBytes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("code"u8, (int)code);
        w.WriteEndObject();
    });
}
