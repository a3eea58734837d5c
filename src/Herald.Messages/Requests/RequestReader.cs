using System.Text.Json;

namespace Herald.Messages.Requests;

/// <summary>
/// The one validating reader of request fields, shared by every protocol: the native codec
/// reads them from the frame's top level (and from <c>data</c>, the compatible form), Socket.IO
/// from an event's first argument. Each field is checked for its JSON type when present, whatever
/// the request; a field of the wrong shape is a <see cref="HeraldErrorCode.BadRequest"/> naming it.
/// Never throws on bad input.
/// </summary>
public static class RequestReader
{
    /// <summary>How deep JSON may nest in a request; deeper is malformed.</summary>
    public const int MaxDepth = 64;

    /// <summary>Options of every reader of request JSON.</summary>
    public static JsonReaderOptions ReaderOptions { get; } = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>What a property name means in the object being read.</summary>
    public enum Field
    {
        Other,
        Channel,
        Filters,
        Token,
        Event,
        /// <summary><c>type</c> in a Socket.IO argument: the publication type, unless <c>event</c> gives it.</summary>
        TypeAsEvent,
        Key,
        Tags,
        Since,
        Limit,
        Info,
        Data,
        IdempotencyKey,
        /// <summary><c>apiKey</c>: a service's API key in <c>connect</c>.</summary>
        ApiKey,
    }

    /// <summary>
    /// The field a property name denotes (unescaped text is compared, so <c>"chann\u0065l"</c> is
    /// <c>channel</c>). <paramref name="typeIsEvent"/>: in a Socket.IO argument, where the event name
    /// is the request, <c>type</c> is accepted for <c>event</c>, the publication type.
    /// </summary>
    public static Field FieldOf(ref Utf8JsonReader reader, bool typeIsEvent = false) =>
        reader.ValueTextEquals("channel"u8) ? Field.Channel
        : reader.ValueTextEquals("data"u8) ? Field.Data
        : reader.ValueTextEquals("filters"u8) ? Field.Filters
        : reader.ValueTextEquals("since"u8) ? Field.Since
        : reader.ValueTextEquals("token"u8) ? Field.Token
        : reader.ValueTextEquals("event"u8) ? Field.Event
        : reader.ValueTextEquals("key"u8) ? Field.Key
        : reader.ValueTextEquals("tags"u8) ? Field.Tags
        : reader.ValueTextEquals("idempotencyKey"u8) ? Field.IdempotencyKey
        : reader.ValueTextEquals("limit"u8) ? Field.Limit
        : reader.ValueTextEquals("info"u8) ? Field.Info
        : reader.ValueTextEquals("apiKey"u8) ? Field.ApiKey
        : typeIsEvent && reader.ValueTextEquals("type"u8) ? Field.TypeAsEvent
        : Field.Other;

    /// <summary>
    /// Reads the field whose value the reader is on into <paramref name="fields"/> (for
    /// <see cref="Field.Data"/> and <see cref="Field.Info"/>, as slices of <paramref name="source"/>,
    /// the bytes the reader reads). Unknown fields are skipped. False with the error on a bad shape.
    /// </summary>
    public static bool TryRead(ref Utf8JsonReader reader, Field field, ReadOnlyMemory<byte> source, RequestFields fields, ref HeraldError error)
    {
        switch (field)
        {
            case Field.Channel:
                fields.Channel = ReadString(ref reader, "channel", ref error);
                return fields.Channel is not null;
            case Field.Token:
                fields.Token = ReadString(ref reader, "token", ref error);
                return fields.Token is not null;
            case Field.ApiKey:
                fields.ApiKey = ReadString(ref reader, "apiKey", ref error);
                return fields.ApiKey is not null;
            case Field.Event:
                var type = ReadString(ref reader, "event", ref error);
                fields.PublicationType = type;
                return type is not null;
            case Field.TypeAsEvent:
                // "event" wins over its alias, whichever comes first.
                var alias = ReadString(ref reader, "type", ref error);
                fields.PublicationType ??= alias;
                return alias is not null;
            case Field.Key:
                fields.Key = ReadString(ref reader, "key", ref error);
                return fields.Key is not null;
            case Field.IdempotencyKey:
                fields.IdempotencyKey = ReadString(ref reader, "idempotencyKey", ref error);
                return fields.IdempotencyKey is not null;
            case Field.Filters:
                fields.HasFilters = true;
                return ReadFilters(ref reader, fields, ref error);
            case Field.Tags:
                return ReadTags(ref reader, fields, ref error);
            case Field.Since:
                return ReadSince(ref reader, fields, ref error);
            case Field.Limit:
                return ReadLimit(ref reader, fields, ref error);
            case Field.Info:
                return ReadInfo(ref reader, source, fields, ref error);
            case Field.Data:
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                fields.Data = source[start..(int)reader.BytesConsumed];
                return true;
            default:
                reader.Skip();
                return true;
        }
    }

    /// <summary>
    /// Reads every field of a JSON object (a Socket.IO argument). <paramref name="onlyUnset"/>: fill
    /// only what is not set yet, and take no <c>info</c> (the native compatible form inside <c>data</c>,
    /// where the frame's top level wins).
    /// </summary>
    public static bool TryReadObject(ReadOnlyMemory<byte> json, RequestFields fields, bool typeIsEvent, bool onlyUnset, out HeraldError error)
    {
        error = default;
        try
        {
            var reader = new Utf8JsonReader(json.Span, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = HeraldError.BadRequest("the request must be a JSON object");
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader, typeIsEvent);
                reader.Read();
                if (onlyUnset && IsSet(field, fields))
                {
                    reader.Skip();
                    continue;
                }
                if (!TryRead(ref reader, field, json, fields, ref error))
                {
                    return false;
                }
            }
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = Malformed(ex);
            return false;
        }
    }

    /// <summary>The answer to JSON the reader could not read: a syntax error, too deep, invalid UTF-8 or escape.</summary>
    public static HeraldError Malformed(Exception exception) => exception is JsonException json
        ? HeraldError.BadRequest($"malformed JSON at byte {json.BytePositionInLine}")
        : HeraldError.BadRequest("a string is not valid UTF-8 or holds an invalid escape");

    private static bool IsSet(Field field, RequestFields fields) => field switch
    {
        Field.Channel => fields.Channel is not null,
        Field.Filters => fields.HasFilters,
        Field.Token => fields.Token is not null,
        Field.ApiKey => fields.ApiKey is not null,
        Field.Since => fields.SinceOffset is not null,
        Field.Limit => fields.Limit is not null,
        Field.Info or Field.Data => true,
        _ => false,
    };

    private static string? ReadString(ref Utf8JsonReader reader, string name, ref HeraldError error)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            error = HeraldError.BadRequest($"'{name}' must be a string");
            return null;
        }
        return reader.GetString()!;
    }

    private static bool ReadLimit(ref Utf8JsonReader reader, RequestFields fields, ref HeraldError error)
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
        fields.Limit = limit;
        return true;
    }

    private static bool ReadInfo(ref Utf8JsonReader reader, ReadOnlyMemory<byte> source, RequestFields fields, ref HeraldError error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = HeraldError.BadRequest("'info' must be a JSON object");
            return false;
        }
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        // Kept beyond the frame (presence holds it): a copy.
        fields.Info = source[start..(int)reader.BytesConsumed].ToArray();
        return true;
    }

    private static bool ReadFilters(ref Utf8JsonReader reader, RequestFields fields, ref HeraldError error)
    {
        fields.Filters = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
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
            if (reader.TokenType != JsonTokenType.StartArray || !ReadStrings(ref reader, out var values))
            {
                error = HeraldError.BadRequest($"filter '{Truncate(tag)}' must be an array of strings");
                return false;
            }
            filters[tag] = values;
        }
        fields.Filters = filters;
        return true;
    }

    private static bool ReadStrings(ref Utf8JsonReader reader, out List<string> values)
    {
        values = [];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return false;
            }
            values.Add(reader.GetString()!);
        }
        return true;
    }

    /// <summary><c>since</c>: <c>{"offset": N, "epoch": "E"}</c>; the epoch may be left out for history paging.</summary>
    private static bool ReadSince(ref Utf8JsonReader reader, RequestFields fields, ref HeraldError error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }
        error = HeraldError.BadRequest("'since' must be an object {\"offset\": integer >= 0, \"epoch\": string}");
        if (reader.TokenType != JsonTokenType.StartObject)
        {
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
                    return false;
                }
                offset = value;
            }
            else if (isEpoch)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }
                fields.SinceEpoch = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }
        if (offset is null)
        {
            return false;
        }
        fields.SinceOffset = offset;
        error = default;
        return true;
    }

    private static bool ReadTags(ref Utf8JsonReader reader, RequestFields fields, ref HeraldError error)
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
        fields.Tags = tags;
        return true;
    }

    /// <summary>Names from the client, shortened for messages.</summary>
    public static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
