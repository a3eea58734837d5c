using System.Buffers;
using System.Text;
using System.Text.Json;
using Herald.Core;
using Herald.Core.History;

namespace Herald.Protocol;

/// <summary>
/// Decodes client frames of the native protocol (docs/protocol.md) and encodes the server's
/// answers. Pure functions over bytes; thread-safe.
/// </summary>
public static class NativeCodec
{
    /// <summary>Longest accepted request id (as a string).</summary>
    public const int MaxIdLength = 128;

    private enum Field
    {
        Other,
        Type,
        Id,
        Data,
        Channel,
        Filters,
        Token,
        Event,
        Key,
        Tags,
        Since,
        Limit,
        Info,
    }

    /// <summary>The field a property name denotes; compares unescaped text, so <c>"typ\u0065"</c> is <c>type</c>.</summary>
    private static Field FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("type"u8) ? Field.Type
        : reader.ValueTextEquals("id"u8) ? Field.Id
        : reader.ValueTextEquals("channel"u8) ? Field.Channel
        : reader.ValueTextEquals("data"u8) ? Field.Data
        : reader.ValueTextEquals("filters"u8) ? Field.Filters
        : reader.ValueTextEquals("since"u8) ? Field.Since
        : reader.ValueTextEquals("token"u8) ? Field.Token
        : reader.ValueTextEquals("event"u8) ? Field.Event
        : reader.ValueTextEquals("key"u8) ? Field.Key
        : reader.ValueTextEquals("tags"u8) ? Field.Tags
        : reader.ValueTextEquals("limit"u8) ? Field.Limit
        : reader.ValueTextEquals("info"u8) ? Field.Info
        : Field.Other;

    /// <summary>Ids are echoed with their non-ASCII characters as sent (quotes, backslashes and controls still escaped).</summary>
    private static readonly JsonSerializerOptions IdOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>
    /// Decodes one text frame. On failure <paramref name="error"/> says why, and
    /// <paramref name="request"/> carries whatever was read before the failure (its id, so that
    /// the error can answer it).
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> frame, out NativeRequest request, out HeraldError error)
    {
        if (TryParseCore(frame, out request, out error))
        {
            return true;
        }
        // The id may come after the field at fault: look for it so that the error still answers the request.
        request.Id ??= FindId(frame);
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
            var reader = new Utf8JsonReader(frame.Span, ReaderOptions);
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
                    var probe = new NativeRequest();
                    HeraldError ignored = default;
                    return ReadId(ref reader, frame, probe, ref ignored) ? probe.Id : null;
                }
                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
        }
        return null;
    }

    private static bool TryParseCore(ReadOnlyMemory<byte> frame, out NativeRequest request, out HeraldError error)
    {
        request = new NativeRequest();
        error = default;
        ReadOnlyMemory<byte> dataObject = default;
        try
        {
            var reader = new Utf8JsonReader(frame.Span, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = HeraldError.BadRequest("frame must be a JSON object");
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = FieldOf(ref reader);
                reader.Read();
                if (property == Field.Type)
                {
                    if (!ReadString(ref reader, "type", out var type, ref error))
                    {
                        return false;
                    }
                    request.TypeName = type;
                    request.Type = ParseType(type);
                }
                else if (property == Field.Id)
                {
                    if (!ReadId(ref reader, frame, request, ref error))
                    {
                        return false;
                    }
                }
                else if (property == Field.Info)
                {
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        error = HeraldError.BadRequest("'info' must be a JSON object");
                        return false;
                    }
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    request.Info = frame[start..(int)reader.BytesConsumed].ToArray();
                }
                else if (property == Field.Data)
                {
                    var start = (int)reader.TokenStartIndex;
                    var isObject = reader.TokenType == JsonTokenType.StartObject;
                    reader.Skip();
                    request.Data = frame[start..(int)reader.BytesConsumed];
                    if (isObject)
                    {
                        dataObject = request.Data;
                    }
                }
                else if (!ReadCommonField(ref reader, property, request, ref error, out var known))
                {
                    return false;
                }
                else if (!known)
                {
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = HeraldError.BadRequest("frame must be one JSON object");
                return false;
            }
            // Seed-003 style: subscribe options inside "data" ({"type":"subscribe","data":{"channel":…,"filters":…}}).
            if (request.Type is not NativeMessageType.Publish && !dataObject.IsEmpty && !ReadDataFields(dataObject, request, ref error))
            {
                return false;
            }
        }
        catch (JsonException ex)
        {
            error = HeraldError.BadRequest($"malformed JSON at byte {ex.BytePositionInLine}");
            return false;
        }
        catch (InvalidOperationException)
        {
            // GetString on invalid UTF-8 or a lone surrogate escape (\uDC00).
            error = HeraldError.BadRequest("a string is not valid UTF-8 or holds an invalid escape");
            return false;
        }
        if (request.TypeName is null)
        {
            error = HeraldError.BadRequest("'type' is required");
            return false;
        }
        if (request.Type == NativeMessageType.Unknown)
        {
            error = new HeraldError(HeraldErrorCode.UnknownMessageType, $"unknown message type '{Truncate(request.TypeName)}'");
            return false;
        }
        return true;
    }

    private static bool ReadDataFields(ReadOnlyMemory<byte> data, NativeRequest request, ref HeraldError error)
    {
        var reader = new Utf8JsonReader(data.Span, ReaderOptions);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = FieldOf(ref reader);
            reader.Read();
            // Top-level fields win: only fill what the envelope did not set.
            var alreadySet = property switch
            {
                Field.Channel => request.Channel is not null,
                Field.Filters => request.HasFilters,
                Field.Token => request.Token is not null,
                Field.Since => request.SinceOffset is not null,
                Field.Limit => request.Limit is not null,
                _ => false,
            };
            if (alreadySet)
            {
                reader.Skip();
                continue;
            }
            if (!ReadCommonField(ref reader, property, request, ref error, out var known))
            {
                return false;
            }
            if (!known)
            {
                reader.Skip();
            }
        }
        return true;
    }

    private static bool ReadCommonField(ref Utf8JsonReader reader, Field property, NativeRequest request, ref HeraldError error, out bool known)
    {
        known = true;
        if (property == Field.Channel)
        {
            if (!ReadString(ref reader, "channel", out var channel, ref error))
            {
                return false;
            }
            request.Channel = channel;
        }
        else if (property == Field.Filters)
        {
            request.HasFilters = true;
            return ReadFilters(ref reader, request, ref error);
        }
        else if (property == Field.Token)
        {
            if (!ReadString(ref reader, "token", out var token, ref error))
            {
                return false;
            }
            request.Token = token;
        }
        else if (property == Field.Event)
        {
            if (!ReadString(ref reader, "event", out var type, ref error))
            {
                return false;
            }
            request.PublicationType = type;
        }
        else if (property == Field.Key)
        {
            if (!ReadString(ref reader, "key", out var key, ref error))
            {
                return false;
            }
            request.Key = key;
        }
        else if (property == Field.Tags)
        {
            return ReadTags(ref reader, request, ref error);
        }
        else if (property == Field.Since)
        {
            return ReadSince(ref reader, request, ref error);
        }
        else if (property == Field.Limit)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var limit))
            {
                error = HeraldError.BadRequest("'limit' must be an integer");
                return false;
            }
            request.Limit = limit;
        }
        else
        {
            known = false;
        }
        return true;
    }

    private static NativeMessageType ParseType(string type) => type switch
    {
        "connect" => NativeMessageType.Connect,
        "ping" => NativeMessageType.Ping,
        "pong" => NativeMessageType.Pong,
        "subscribe" => NativeMessageType.Subscribe,
        "unsubscribe" => NativeMessageType.Unsubscribe,
        "update_filter" => NativeMessageType.UpdateFilter,
        "publish" => NativeMessageType.Publish,
        "request_history" => NativeMessageType.RequestHistory,
        "presence" => NativeMessageType.Presence,
        _ => NativeMessageType.Unknown,
    };

    private static bool ReadString(ref Utf8JsonReader reader, string field, out string value, ref HeraldError error)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            value = "";
            error = HeraldError.BadRequest($"'{field}' must be a string");
            return false;
        }
        value = reader.GetString()!;
        return true;
    }

    private static bool ReadId(ref Utf8JsonReader reader, ReadOnlyMemory<byte> frame, NativeRequest request, ref HeraldError error)
    {
        var start = (int)reader.TokenStartIndex;
        switch (reader.TokenType)
        {
            case JsonTokenType.String when reader.ValueSpan.Length <= MaxIdLength:
                // Decoded and re-encoded: the echoed id is valid, canonical JSON whatever bytes or escapes were sent
                // (GetString throws on invalid UTF-8, which the caller answers as a bad request).
                request.Id = JsonSerializer.SerializeToUtf8Bytes(reader.GetString(), IdOptions);
                return true;
            case JsonTokenType.Number when reader.TryGetInt64(out _):
                request.Id = frame[start..(start + reader.ValueSpan.Length)].ToArray();
                return true;
            case JsonTokenType.Null:
                return true;
            default:
                error = HeraldError.BadRequest($"'id' must be a string of at most {MaxIdLength} bytes or an integer");
                return false;
        }
    }

    private static bool ReadFilters(ref Utf8JsonReader reader, NativeRequest request, ref HeraldError error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            request.Filters = null;
            return true;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = HeraldError.BadRequest("'filters' must be an object mapping tag names to arrays of strings");
            return false;
        }
        var filters = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var tag = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                filters[tag] = [reader.GetString()!];
                continue;
            }
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                error = HeraldError.BadRequest($"filter '{Truncate(tag)}' must be an array of strings");
                return false;
            }
            var values = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = HeraldError.BadRequest($"filter '{Truncate(tag)}' must be an array of strings");
                    return false;
                }
                values.Add(reader.GetString()!);
            }
            filters[tag] = values;
        }
        request.Filters = filters;
        return true;
    }

    /// <summary><c>since</c>: <c>{"offset": N, "epoch": "E"}</c>; the epoch may be left out for history paging.</summary>
    private static bool ReadSince(ref Utf8JsonReader reader, NativeRequest request, ref HeraldError error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        const string shape = "'since' must be an object {\"offset\": integer >= 0, \"epoch\": string}";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = HeraldError.BadRequest(shape);
            return false;
        }
        long? offset = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isOffset = reader.ValueTextEquals("offset"u8);
            var isEpoch = reader.ValueTextEquals("epoch"u8);
            reader.Read();
            if (isOffset)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0)
                {
                    error = HeraldError.BadRequest(shape);
                    return false;
                }
                offset = value;
            }
            else if (isEpoch)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = HeraldError.BadRequest(shape);
                    return false;
                }
                request.SinceEpoch = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }
        if (offset is null)
        {
            error = HeraldError.BadRequest(shape);
            return false;
        }
        request.SinceOffset = offset;
        return true;
    }

    private static bool ReadTags(ref Utf8JsonReader reader, NativeRequest request, ref HeraldError error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = HeraldError.BadRequest("'tags' must be an object of strings");
            return false;
        }
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                error = HeraldError.BadRequest($"tag '{Truncate(name)}' must be a string");
                return false;
            }
            tags[name] = reader.GetString()!;
        }
        request.Tags = tags;
        return true;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";

    // ---- Server → client ----------------------------------------------------------------------

    /// <summary>The server's heartbeat ping.</summary>
    public static ReadOnlyMemory<byte> Ping { get; } = "{\"type\":\"ping\"}"u8.ToArray();

    /// <summary><c>{"type":"connected","id":…,"data":{client,user,org,pingInterval,pongTimeout}}</c>.</summary>
    public static byte[] Connected(byte[]? id, string clientId, string userId, string orgId, double pingInterval, double pongTimeout) =>
        Write(w =>
        {
            w.WriteString("type"u8, "connected"u8);
            WriteId(w, id);
            w.WriteStartObject("data"u8);
            w.WriteString("client"u8, clientId);
            w.WriteString("user"u8, userId);
            w.WriteString("org"u8, orgId);
            w.WriteNumber("pingInterval"u8, pingInterval);
            w.WriteNumber("pongTimeout"u8, pongTimeout);
            w.WriteEndObject();
        });

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
                WritePublications(w, "publications"u8, result.Publications);
                WritePublications(w, "state"u8, result.State);
            }
        });

    /// <summary><c>{"type":"history","id":…,"channel":…,"offset":…,"epoch":…,"publications":[…],"hasMore":…}</c>.</summary>
    public static byte[] History(byte[]? id, string channel, HistoryPage page) =>
        Write(w =>
        {
            w.WriteString("type"u8, "history"u8);
            WriteId(w, id);
            w.WriteString("channel"u8, channel);
            w.WriteNumber("offset"u8, page.Position.Offset);
            w.WriteString("epoch"u8, page.Position.Epoch);
            WritePublications(w, "publications"u8, page.Publications);
            w.WriteBoolean("hasMore"u8, page.HasMore);
        });

    /// <summary>Writes an array of publications, each with the fields of a native publication frame.</summary>
    public static void WritePublications(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<Publication> publications)
    {
        writer.WriteStartArray(name);
        foreach (var publication in publications)
        {
            writer.WriteStartObject();
            PublicationJson.WriteFields(writer, publication);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary><c>{"type":"presence","id":…,"channel":…,"data":{"users":[{user,connections,info,since}…]}}</c>.</summary>
    public static byte[] Presence(byte[]? id, string channel, IReadOnlyList<Herald.Core.Presence.PresenceEntry> users) =>
        Write(w =>
        {
            w.WriteString("type"u8, "presence"u8);
            WriteId(w, id);
            w.WriteString("channel"u8, channel);
            w.WriteStartObject("data"u8);
            w.WriteStartArray("users"u8);
            foreach (var user in users)
            {
                Node.WritePresence(w, user);
            }
            w.WriteEndArray();
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

    /// <summary><c>{"type":"disconnect","code":…,"reason":…,"reconnect":…}</c>, sent right before the close frame.</summary>
    public static byte[] Disconnect(DisconnectCode code) =>
        Write(w =>
        {
            w.WriteString("type"u8, "disconnect"u8);
            w.WriteNumber("code"u8, (int)code);
            w.WriteString("reason"u8, HeraldCodes.Reason(code));
            w.WriteBoolean("reconnect"u8, HeraldCodes.ShouldReconnect(code));
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
