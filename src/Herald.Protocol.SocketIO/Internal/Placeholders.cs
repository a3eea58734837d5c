using System.Text.Json;
using System.Text.Json.Nodes;

namespace Herald.Protocol.SocketIO.Internal;

/// <summary>
/// Binary placeholders, <c>{"_placeholder":true,"num":k}</c>: validation against the announced
/// attachment count, and resolution into a JSON tree. An object is a placeholder when its
/// <c>_placeholder</c> property is the literal <c>true</c> (as in socket.io-parser); duplicate keys
/// keep the last value, as JSON.parse does.
/// </summary>
internal static class Placeholders
{
    /// <summary>
    /// Packets may nest deeper than a request may (the request reader allows 64 levels and answers
    /// deeper arguments with an error): a packet this deep is still well-formed, so it is answered,
    /// not a reason to close the session. Beyond this depth the packet is malformed.
    /// </summary>
    internal static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 256, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>Checks every placeholder of a validated JSON value; <paramref name="attachmentCount"/> bounds <c>num</c>.</summary>
    public static bool TryValidate(ReadOnlySpan<byte> json, int attachmentCount, out SocketIOError error)
    {
        var reader = new Utf8JsonReader(json, ReaderOptions);
        reader.Read();
        return Walk(ref reader, attachmentCount, out error);
    }

    private enum Num
    {
        Missing,
        Valid,
        NotAnInteger,
        OutOfRange,
    }

    private static bool Walk(ref Utf8JsonReader reader, int attachmentCount, out SocketIOError error)
    {
        error = default;
        if (reader.TokenType == JsonTokenType.StartArray)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (!Walk(ref reader, attachmentCount, out error))
                {
                    return false;
                }
            }
            return true;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return true;
        }
        var isPlaceholder = false;
        var num = Num.Missing;
        var value = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isFlag = reader.ValueTextEquals("_placeholder"u8);
            var isNum = reader.ValueTextEquals("num"u8);
            reader.Read();
            if (isFlag)
            {
                isPlaceholder = reader.TokenType == JsonTokenType.True;
            }
            else if (isNum)
            {
                num = reader.TokenType != JsonTokenType.Number ? Num.NotAnInteger
                    : reader.TryGetInt32(out value) ? Num.Valid
                    : IsInteger(reader.ValueSpan) ? Num.OutOfRange
                    : Num.NotAnInteger;
            }
            if (!Walk(ref reader, attachmentCount, out error))
            {
                return false;
            }
        }
        return !isPlaceholder || CheckPlaceholder(num, value, attachmentCount, out error);
    }

    /// <summary>Checks the <c>num</c> of an object marked <c>_placeholder: true</c> against the announced attachments.</summary>
    private static bool CheckPlaceholder(Num num, int value, int attachmentCount, out SocketIOError error)
    {
        error = default;
        switch (num)
        {
            case Num.Missing:
                error = new SocketIOError(SocketIOErrorCode.InvalidPlaceholder, "placeholder without 'num'");
                return false;
            case Num.NotAnInteger:
                error = new SocketIOError(SocketIOErrorCode.InvalidPlaceholder, "placeholder 'num' is not an integer");
                return false;
            case Num.OutOfRange:
                error = new SocketIOError(SocketIOErrorCode.InvalidPlaceholder, $"placeholder 'num' is outside the {attachmentCount} attachments");
                return false;
            default:
                if (value < 0 || value >= attachmentCount)
                {
                    error = new SocketIOError(SocketIOErrorCode.InvalidPlaceholder, $"placeholder 'num' {value} is outside the {attachmentCount} attachments");
                    return false;
                }
                return true;
        }
    }

    /// <summary>True for a JSON number written as an integer (<c>-12</c>, not <c>1.0</c> or <c>1e3</c>).</summary>
    private static bool IsInteger(ReadOnlySpan<byte> number)
    {
        var digits = number.Length > 0 && number[0] == '-' ? number[1..] : number;
        return !digits.IsEmpty && !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    /// <summary>
    /// Parses a validated JSON array into nodes; with <paramref name="attachments"/>, replaces
    /// (already validated) placeholders by byte-array values.
    /// </summary>
    public static JsonArray Resolve(ReadOnlyMemory<byte> json, IReadOnlyList<byte[]>? attachments)
    {
        var reader = new Utf8JsonReader(json.Span, ReaderOptions);
        var root = JsonElement.ParseValue(ref reader);
        return (JsonArray)Convert(root, attachments)!;
    }

    private static JsonNode? Convert(JsonElement element, IReadOnlyList<byte[]>? attachments)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                var array = new JsonArray();
                foreach (var item in element.EnumerateArray())
                {
                    array.Add(Convert(item, attachments));
                }
                return array;
            case JsonValueKind.Object:
                if (attachments is not null && IsPlaceholder(element, out var num))
                {
                    return JsonValue.Create(attachments[num], SocketIOJsonContext.Default.ByteArray);
                }
                var obj = new JsonObject();
                foreach (var property in element.EnumerateObject())
                {
                    obj[property.Name] = Convert(property.Value, attachments);
                }
                return obj;
            case JsonValueKind.Null:
                return null;
            default:
                return JsonValue.Create(element);
        }
    }

    /// <summary>Same rules as <see cref="Walk"/>: the last occurrence of a key wins.</summary>
    private static bool IsPlaceholder(JsonElement element, out int num)
    {
        num = 0;
        var isPlaceholder = false;
        var hasNum = false;
        foreach (var property in element.EnumerateObject())
        {
            if (property.NameEquals("_placeholder"u8))
            {
                isPlaceholder = property.Value.ValueKind == JsonValueKind.True;
            }
            else if (property.NameEquals("num"u8))
            {
                hasNum = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out num);
            }
        }
        return isPlaceholder && hasNum;
    }
}
