using System.Buffers;
using System.Text;
using System.Text.Json;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Presence;
using Herald.Messages.Requests;

namespace Herald.Protocol;

/// <summary>
/// Decodes client frames of the native protocol (docs/protocol.md) and encodes the server's
/// answers. Pure functions over bytes; thread-safe.
/// </summary>
public static class NativeCodec
{
    /// <summary>Longest accepted request id (as a string).</summary>
    public const int MaxIdLength = 128;

    /// <summary>Ids are echoed with their non-ASCII characters as sent (quotes, backslashes and controls still escaped).</summary>
    private static readonly JsonSerializerOptions IdOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Decodes one text frame. On failure <paramref name="error"/> says why, and
    /// <paramref name="frame"/> carries whatever was read before the failure (its id, so that
    /// the error can answer it).
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> bytes, out NativeFrame frame, out HeraldError error)
    {
        frame = new NativeFrame();
        if (TryParseCore(bytes, frame, out error))
        {
            return true;
        }
        // The id may come after the field at fault: look for it so that the error still answers the request.
        frame.Id ??= FindId(bytes);
        return false;
    }

    /// <summary>
    /// The request id of a frame, when its top level can be walked and the id is valid; used to
    /// answer frames that failed for another reason.
    /// </summary>
    public static byte[]? FindId(ReadOnlyMemory<byte> frame)
    {
        try
        {
            var reader = new Utf8JsonReader(frame.Span, RequestReader.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId)
                {
                    HeraldError ignored = default;
                    return ReadId(ref reader, frame, out var id, ref ignored) ? id : null;
                }
                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
        }
        return null;
    }

    private static bool TryParseCore(ReadOnlyMemory<byte> bytes, NativeFrame frame, out HeraldError error)
    {
        error = default;
        var fields = frame.Fields;
        try
        {
            var reader = new Utf8JsonReader(bytes.Span, RequestReader.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = HeraldError.BadRequest("frame must be a JSON object");
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!ReadEnvelopeField(ref reader, bytes, frame, ref error))
                {
                    return false;
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = HeraldError.BadRequest("frame must be one JSON object");
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: GetString on invalid UTF-8 or a lone surrogate escape.
            error = RequestReader.Malformed(ex);
            return false;
        }
        if (frame.TypeName is null)
        {
            error = HeraldError.BadRequest("'type' is required");
            return false;
        }
        if (!RequestNames.TryGetNative(frame.TypeName, out var kind))
        {
            error = new HeraldError(HeraldErrorCode.UnknownMessageType, $"unknown message type '{RequestReader.Truncate(frame.TypeName)}'");
            return false;
        }
        frame.Kind = kind;
        // The compatible form: request fields inside "data" ({"type":"subscribe","data":{"channel":…}}); the top level wins.
        if (kind is not RequestKind.Publish && IsObject(fields.Data)
            && !RequestReader.TryReadObject(fields.Data, fields, typeIsEvent: false, onlyUnset: true, out error))
        {
            return false;
        }
        frame.Request = fields.ToRequest(kind, out error);
        return frame.Request is not null;
    }

    private static bool IsObject(ReadOnlyMemory<byte> json) => !json.IsEmpty && json.Span[0] == (byte)'{';

    /// <summary>Reads one top-level field: the envelope's own (<c>type</c>, <c>id</c>) or a request field.</summary>
    private static bool ReadEnvelopeField(ref Utf8JsonReader reader, ReadOnlyMemory<byte> bytes, NativeFrame frame, ref HeraldError error)
    {
        if (reader.ValueTextEquals("type"u8))
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                error = HeraldError.BadRequest("'type' must be a string");
                return false;
            }
            frame.TypeName = reader.GetString();
            return true;
        }
        if (reader.ValueTextEquals("id"u8))
        {
            reader.Read();
            if (!ReadId(ref reader, bytes, out var id, ref error))
            {
                return false;
            }
            frame.Id = id;
            return true;
        }
        var field = RequestReader.FieldOf(ref reader);
        reader.Read();
        return RequestReader.TryRead(ref reader, field, bytes, frame.Fields, ref error);
    }

    private static bool ReadId(ref Utf8JsonReader reader, ReadOnlyMemory<byte> frame, out byte[]? id, ref HeraldError error)
    {
        var start = (int)reader.TokenStartIndex;
        id = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueSpan.Length <= MaxIdLength:
                // Decoded and re-encoded: the echoed id is valid, canonical JSON whatever bytes or escapes were sent
                // (GetString throws on invalid UTF-8, which the caller answers as a bad request).
                id = JsonSerializer.SerializeToUtf8Bytes(reader.GetString(), IdOptions);
                return true;
            case JsonTokenType.Number when reader.TryGetInt64(out _):
                id = frame[start..(start + reader.ValueSpan.Length)].ToArray();
                return true;
            case JsonTokenType.Null:
                return true;
            default:
                error = HeraldError.BadRequest($"'id' must be a string of at most {MaxIdLength} bytes or an integer");
                return false;
        }
    }

    // ---- Server → client ----------------------------------------------------------------------

    /// <summary>The server's heartbeat ping.</summary>
    public static ReadOnlyMemory<byte> Ping { get; } = "{\"type\":\"ping\"}"u8.ToArray();

    /// <summary><c>{"type":"connected","id":…,"data":{client,user,org,pingInterval,pongTimeout}}</c>.</summary>
    public static byte[] Connected(byte[]? id, string clientId, string userId, string orgId, double pingInterval, double pongTimeout, long? expires = null, string type = "connected") =>
        Write(w =>
        {
            w.WriteString("type"u8, type);
            WriteId(w, id);
            w.WriteStartObject("data"u8);
            w.WriteString("client"u8, clientId);
            w.WriteString("user"u8, userId);
            w.WriteString("org"u8, orgId);
            w.WriteNumber("pingInterval"u8, pingInterval);
            w.WriteNumber("pongTimeout"u8, pongTimeout);
            if (expires is { } seconds)
            {
                w.WriteNumber("expires"u8, seconds);
            }
            w.WriteEndObject();
        });

    /// <summary>
    /// The answer to a request, as a frame: the success message of its kind, or <c>error</c>;
    /// both carry <paramref name="id"/>. <c>pong</c> requests are never answered, so never encoded.
    /// </summary>
    public static byte[] Encode(byte[]? id, RequestResult result)
    {
        if (result.Error is { } error)
        {
            return Error(id, error);
        }
        return result.Kind switch
        {
            RequestKind.Connect or RequestKind.Refresh => Connected(id, result.Session!, result.Kind == RequestKind.Refresh ? "refreshed" : "connected"),
            RequestKind.Ping => Pong(id),
            RequestKind.Subscribe => Subscribed(id, result.Subscribed!),
            RequestKind.Unsubscribe => ChannelReply("unsubscribed", id, result.Channel!),
            RequestKind.UpdateFilter => ChannelReply("filter_updated", id, result.Channel!),
            RequestKind.History => History(id, result.Channel!, result.History!),
            RequestKind.Presence => Presence(id, result.Channel!, result.Users!),
            RequestKind.Publish => Published(id, result.Published!),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Kind, "no answer for this request"),
        };
    }

    private static byte[] Connected(byte[]? id, ConnectedSession session, string type) =>
        Connected(id, session.ClientId, session.UserId, session.OrgId, session.PingInterval, session.PongTimeout, session.ExpiresIn, type);

    /// <summary>
    /// <c>{"type":"unsubscribed","channel":…,"code":…,"message":…}</c>: the server ended a
    /// subscription on its own (no id: no request asked for it).
    /// </summary>
    public static byte[] Unsubscribed(string channel, HeraldError reason) =>
        Write(w =>
        {
            w.WriteString("type"u8, "unsubscribed"u8);
            w.WriteString("channel"u8, channel);
            w.WriteNumber("code"u8, (int)reason.Code);
            w.WriteString("message"u8, reason.Message);
        });

    /// <summary>
    /// <c>{"type":"token_expired","code":109,"message":…,"grace":N}</c>: the connection's token has
    /// expired; a <c>refresh</c> within <c>grace</c> seconds keeps the connection, otherwise it is
    /// closed with 3005.
    /// </summary>
    public static byte[] TokenExpired(int grace) =>
        Write(w =>
        {
            w.WriteString("type"u8, "token_expired"u8);
            w.WriteNumber("code"u8, (int)HeraldErrorCode.TokenExpired);
            w.WriteString("message"u8, TokenExpiredMessage(grace));
            w.WriteNumber("grace"u8, grace);
        });

    /// <summary>The message of the <c>token_expired</c> warning, the same on every transport.</summary>
    public static string TokenExpiredMessage(int grace) =>
        $"the token has expired: send refresh with a new token within {grace} seconds, or the connection closes with 3005";

    /// <summary>An answer naming a channel: <c>subscribed</c>, <c>unsubscribed</c>, <c>filter_updated</c>.</summary>
    public static byte[] ChannelReply(string type, byte[]? id, string channel) =>
        Write(w =>
        {
            w.WriteString("type"u8, type);
            WriteId(w, id);
            w.WriteString("channel"u8, channel);
        });

    /// <summary>
    /// <c>{"type":"subscribed","id":…,"channel":…,"offset":…,"epoch":…,"recoverable":…,"recovered":…,"publications":[…],"state":[…]}</c>;
    /// the stream fields only for channels with a stream, <c>recovered</c> only when <c>since</c> was sent.
    /// </summary>
    public static byte[] Subscribed(byte[]? id, SubscribeResult result) =>
        Write(w =>
        {
            w.WriteString("type"u8, "subscribed"u8);
            WriteId(w, id);
            StreamJson.WriteSubscribed(w, result);
        });

    /// <summary><c>{"type":"history","id":…,"channel":…,"offset":…,"epoch":…,"publications":[…],"hasMore":…}</c>.</summary>
    public static byte[] History(byte[]? id, string channel, HistoryPage page) =>
        Write(w =>
        {
            w.WriteString("type"u8, "history"u8);
            WriteId(w, id);
            StreamJson.WriteHistory(w, channel, page);
        });

    /// <summary><c>{"type":"presence","id":…,"channel":…,"data":{"users":[{user,connections,info,since}…]}}</c>.</summary>
    public static byte[] Presence(byte[]? id, string channel, IReadOnlyList<PresenceEntry> users) =>
        Write(w =>
        {
            w.WriteString("type"u8, "presence"u8);
            WriteId(w, id);
            w.WriteString("channel"u8, channel);
            w.WriteStartObject("data"u8);
            StreamJson.WriteUsers(w, users);
            w.WriteEndObject();
        });

    /// <summary>The answer to a client <c>publish</c>.</summary>
    public static byte[] Published(byte[]? id, Publication publication) =>
        Write(w =>
        {
            w.WriteString("type"u8, "published"u8);
            WriteId(w, id);
            w.WriteString("channel"u8, publication.Channel);
            w.WriteStartObject("data"u8);
            w.WriteString("publicationId"u8, publication.Id);
            if (publication.Epoch is not null)
            {
                w.WriteNumber("offset"u8, publication.Offset);
                w.WriteString("epoch"u8, publication.Epoch);
            }
            w.WriteEndObject();
        });

    /// <summary><c>{"type":"pong","id":…}</c>.</summary>
    public static byte[] Pong(byte[]? id) =>
        Write(w =>
        {
            w.WriteString("type"u8, "pong"u8);
            WriteId(w, id);
        });

    /// <summary><c>{"type":"error","id":…,"code":…,"message":…}</c>.</summary>
    public static byte[] Error(byte[]? id, HeraldError error) =>
        Write(w =>
        {
            w.WriteString("type"u8, "error"u8);
            WriteId(w, id);
            w.WriteNumber("code"u8, (int)error.Code);
            w.WriteString("message"u8, error.Message);
        });

    /// <summary>
    /// <c>{"type":"disconnect","code":…,"reason":…,"reconnect":…}</c>, sent right before the close
    /// frame, with <c>"reconnectDelay"</c> (seconds) when the server suggests one.
    /// </summary>
    public static byte[] Disconnect(DisconnectCode code, double? reconnectDelay = null) =>
        Write(w =>
        {
            w.WriteString("type"u8, "disconnect"u8);
            w.WriteNumber("code"u8, (int)code);
            w.WriteString("reason"u8, HeraldCodes.Reason(code));
            w.WriteBoolean("reconnect"u8, HeraldCodes.ShouldReconnect(code));
            if (reconnectDelay is { } delay)
            {
                w.WriteNumber("reconnectDelay"u8, delay);
            }
        });

    private static void WriteId(Utf8JsonWriter writer, byte[]? id)
    {
        if (id is not null)
        {
            writer.WritePropertyName("id"u8);
            writer.WriteRawValue(id, skipInputValidation: true);
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>Writes one JSON object with a reused per-thread buffer and returns a right-sized copy.</summary>
    internal static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(buffer);
        writer.WriteStartObject();
        body(writer);
        writer.WriteEndObject();
        writer.Flush();
        var result = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > 64 * 1024)
        {
            // Do not let one huge frame pin a large buffer on a thread forever.
            t_buffer = null;
            t_writer = null;
        }
        return result;
    }

    /// <summary>For tests and diagnostics.</summary>
    public static string ToText(ReadOnlyMemory<byte> frame) => Encoding.UTF8.GetString(frame.Span);
}
