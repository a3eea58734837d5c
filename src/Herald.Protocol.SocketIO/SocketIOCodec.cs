using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Herald.Protocol.SocketIO.Internal;

namespace Herald.Protocol.SocketIO;

/// <summary>
/// Socket.IO v5 packet encoding (github.com/socketio/socket.io-protocol):
/// <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;ack id&gt;][&lt;JSON payload&gt;]</c>, the namespace
/// omitted when it is <c>/</c>. Pure functions over bytes; thread-safe.
/// </summary>
/// <remarks>
/// <para>Decoding takes the data of an Engine.IO text <c>message</c> packet (what follows the
/// <c>4</c>) and never throws for malformed input. Binary packets need their attachments from the
/// following binary messages: feed every message to a <see cref="SocketIOPacketAssembler"/> rather
/// than calling <see cref="Decode"/> directly.</para>
/// <para>Encoding returns complete Engine.IO frames (the <c>4</c> included), ready for a WebSocket
/// or for <see cref="EngineIOCodec.EncodePayload"/>. Encoders throw <see cref="ArgumentException"/>
/// for arguments a server should never produce (namespace without <c>/</c>, arguments that are not
/// one JSON array, reserved event names, bad placeholders).</para>
/// </remarks>
public static partial class SocketIOCodec
{
    /// <summary>Event names a peer may not emit, because Socket.IO or the EventEmitter give them a meaning.</summary>
    public static IReadOnlySet<string> ReservedEventNames { get; } = new[]
    {
        "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Decodes one Socket.IO packet from the data of an Engine.IO text message and validates it:
    /// CONNECT payload absent or an object; DISCONNECT without payload; CONNECT_ERROR an object or
    /// a string; EVENT / BINARY_EVENT a non-empty array starting with a string name that is not
    /// reserved; ACK / BINARY_ACK an array and an ack id; ack ids only on events and acks, digits,
    /// within <see cref="int"/>; namespaces starting with <c>/</c> and ending at the first <c>,</c>
    /// (or at the end, as <c>40/custom</c> in the compliance suite); binary headers announcing at
    /// most <paramref name="maxAttachments"/> attachments, every placeholder within them.
    /// </summary>
    /// <param name="data">The packet text (UTF-8), without the Engine.IO <c>4</c>.</param>
    /// <param name="maxAttachments">Most attachments a binary header may announce.</param>
    /// <returns>
    /// The packet (a binary header comes back with <see cref="SocketIOPacket.IsComplete"/> false
    /// unless it announces zero attachments), or the reason it was refused.
    /// </returns>
    public static SocketIOResult<SocketIOPacket> Decode(ReadOnlyMemory<byte> data, int maxAttachments = SocketIOPacketAssembler.DefaultMaxAttachments)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAttachments);
        var span = data.Span;
        if (span.IsEmpty)
        {
            return Fail(SocketIOErrorCode.EmptyPacket, "empty packet");
        }
        var first = span[0];
        if (first is < (byte)'0' or > (byte)'6')
        {
            return Fail(SocketIOErrorCode.UnknownPacketType, $"unknown packet type {EngineIOCodec.Describe(first)}");
        }
        var type = (SocketIOPacketType)(first - '0');
        if (!Utf8.IsValid(span))
        {
            return Fail(SocketIOErrorCode.InvalidUtf8, "packet is not valid UTF-8");
        }

        var at = 1;
        var attachmentCount = 0;
        if (type is SocketIOPacketType.BinaryEvent or SocketIOPacketType.BinaryAck
            && ReadAttachmentCount(span, maxAttachments, ref at, out attachmentCount) is { } badCount)
        {
            return badCount;
        }
        var hasNamespace = ReadNamespace(span, ref at, out var @namespace);
        if (ReadAckId(span, ref at, out var ackId) is { } badAckId)
        {
            return badAckId;
        }

        var payload = data[at..];
        var kind = JsonTokenType.None;
        if (!payload.IsEmpty && !TryValidateJson(payload.Span, out kind))
        {
            return BadPayload(payload.Span, hasNamespace, ackId);
        }
        return type switch
        {
            SocketIOPacketType.Connect or SocketIOPacketType.Disconnect or SocketIOPacketType.ConnectError => DecodeControl(type, @namespace, ackId, payload, kind),
            SocketIOPacketType.Event or SocketIOPacketType.BinaryEvent => DecodeEvent(type, @namespace, ackId, payload, kind, attachmentCount),
            _ => DecodeAck(type, @namespace, ackId, payload, kind, attachmentCount),
        };
    }

    /// <summary>Reads a binary packet's <c>&lt;attachments&gt;-</c>, moving <paramref name="at"/> past it; the failure, or null.</summary>
    private static SocketIOResult<SocketIOPacket>? ReadAttachmentCount(ReadOnlySpan<byte> span, int maxAttachments, ref int at, out int attachmentCount)
    {
        attachmentCount = 0;
        var dash = span[1..].IndexOf((byte)'-');
        if (dash < 0)
        {
            return Fail(SocketIOErrorCode.InvalidAttachmentCount, "binary packet without '<attachments>-'");
        }
        var digits = span.Slice(1, dash);
        if (digits.IsEmpty || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return Fail(SocketIOErrorCode.InvalidAttachmentCount, "attachment count must be a non-negative integer");
        }
        if (!TryParseDigits(digits, maxAttachments, out attachmentCount))
        {
            return Fail(SocketIOErrorCode.TooManyAttachments, $"{Excerpt(digits)} attachments announced, at most {maxAttachments} allowed");
        }
        at = dash + 2;
        return null;
    }

    /// <summary>Reads a <c>/namespace,</c> if there is one (true), moving <paramref name="at"/> past it.</summary>
    private static bool ReadNamespace(ReadOnlySpan<byte> span, ref int at, out string @namespace)
    {
        @namespace = SocketIOPacket.DefaultNamespace;
        if (at >= span.Length || span[at] != '/')
        {
            return false;
        }
        var comma = span[at..].IndexOf((byte)',');
        var end = comma < 0 ? span.Length : at + comma;
        @namespace = Encoding.UTF8.GetString(span[at..end]);
        at = comma < 0 ? end : end + 1;
        return true;
    }

    /// <summary>Reads the digits of an ack id, if any, moving <paramref name="at"/> past them; the failure, or null.</summary>
    private static SocketIOResult<SocketIOPacket>? ReadAckId(ReadOnlySpan<byte> span, ref int at, out int? ackId)
    {
        ackId = null;
        var digitsEnd = at;
        while (digitsEnd < span.Length && char.IsAsciiDigit((char)span[digitsEnd]))
        {
            digitsEnd++;
        }
        if (digitsEnd == at)
        {
            return null;
        }
        if (!TryParseDigits(span[at..digitsEnd], int.MaxValue, out var id))
        {
            return Fail(SocketIOErrorCode.InvalidAckId, $"ack id {Excerpt(span[at..digitsEnd])} is larger than {int.MaxValue}");
        }
        ackId = id;
        at = digitsEnd;
        return null;
    }

    private static SocketIOResult<SocketIOPacket> DecodeControl(SocketIOPacketType type, string @namespace, int? ackId, ReadOnlyMemory<byte> payload, JsonTokenType kind)
    {
        if (ackId is not null)
        {
            return Fail(SocketIOErrorCode.InvalidAckId, $"a {Name(type)} packet carries no ack id");
        }
        var valid = type switch
        {
            SocketIOPacketType.Connect => kind is JsonTokenType.None or JsonTokenType.StartObject,
            SocketIOPacketType.Disconnect => kind is JsonTokenType.None,
            _ => kind is JsonTokenType.StartObject or JsonTokenType.String,
        };
        if (!valid)
        {
            return Fail(SocketIOErrorCode.InvalidPayload, type switch
            {
                SocketIOPacketType.Connect => "CONNECT payload must be an object",
                SocketIOPacketType.Disconnect => "DISCONNECT carries no payload",
                _ => "CONNECT_ERROR payload must be an object or a string",
            });
        }
        return SocketIOResult<SocketIOPacket>.Success(new SocketIOPacket(type, @namespace, null, payload.ToArray(), null, default, 0, null));
    }

    private static SocketIOResult<SocketIOPacket> DecodeEvent(SocketIOPacketType type, string @namespace, int? ackId, ReadOnlyMemory<byte> payload, JsonTokenType kind, int attachmentCount)
    {
        if (kind != JsonTokenType.StartArray)
        {
            return Fail(SocketIOErrorCode.InvalidPayload, $"{Name(type)} payload must be a non-empty array");
        }
        var json = payload.Span;
        var reader = new Utf8JsonReader(json, Placeholders.ReaderOptions);
        reader.Read();
        reader.Read();
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            return Fail(SocketIOErrorCode.InvalidPayload, $"{Name(type)} payload must be a non-empty array");
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            return Fail(SocketIOErrorCode.InvalidPayload, "the first element of an event must be its name, a string");
        }
        string name;
        try
        {
            name = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate escape (\uD800) cannot become a .NET string.
            return Fail(SocketIOErrorCode.InvalidPayload, "the event name is not valid text");
        }
        if (ReservedEventNames.Contains(name))
        {
            return Fail(SocketIOErrorCode.ReservedEventName, $"'{name}' is a reserved event name");
        }
        if (type == SocketIOPacketType.BinaryEvent && !Placeholders.TryValidate(json, attachmentCount, out var error))
        {
            return SocketIOResult<SocketIOPacket>.Failure(error);
        }
        // The arguments are the array without its first element: "[" + whatever follows the name's comma.
        var rest = json[(int)reader.BytesConsumed..];
        rest = rest[rest.IndexOfAnyExcept(" \t\r\n"u8)..];
        byte[] arguments;
        if (rest[0] == ',')
        {
            arguments = new byte[rest.Length];
            arguments[0] = (byte)'[';
            rest[1..].CopyTo(arguments.AsSpan(1));
        }
        else
        {
            arguments = "[]"u8.ToArray();
        }
        return SocketIOResult<SocketIOPacket>.Success(new SocketIOPacket(type, @namespace, ackId, payload.ToArray(), name, arguments, attachmentCount, null));
    }

    private static SocketIOResult<SocketIOPacket> DecodeAck(SocketIOPacketType type, string @namespace, int? ackId, ReadOnlyMemory<byte> payload, JsonTokenType kind, int attachmentCount)
    {
        if (ackId is null)
        {
            return Fail(SocketIOErrorCode.InvalidAckId, $"a {Name(type)} packet requires an ack id");
        }
        if (kind != JsonTokenType.StartArray)
        {
            return Fail(SocketIOErrorCode.InvalidPayload, $"{Name(type)} payload must be an array");
        }
        if (type == SocketIOPacketType.BinaryAck && !Placeholders.TryValidate(payload.Span, attachmentCount, out var error))
        {
            return SocketIOResult<SocketIOPacket>.Failure(error);
        }
        var bytes = payload.ToArray();
        return SocketIOResult<SocketIOPacket>.Success(new SocketIOPacket(type, @namespace, ackId, bytes, null, bytes, attachmentCount, null));
    }

    /// <summary>Names the most likely fault when what follows the header is not JSON.</summary>
    private static SocketIOResult<SocketIOPacket> BadPayload(ReadOnlySpan<byte> payload, bool hasNamespace, int? ackId)
    {
        if (!hasNamespace && ackId is null)
        {
            var jsonStart = payload.IndexOfAny("[{\""u8);
            var head = jsonStart < 0 ? payload : payload[..jsonStart];
            if (head.Contains((byte)','))
            {
                return Fail(SocketIOErrorCode.InvalidNamespace, "the namespace must start with '/'");
            }
        }
        var first = payload[0];
        if (char.IsAsciiLetter((char)first) || first == '-')
        {
            return Fail(SocketIOErrorCode.InvalidAckId, "the ack id must be a non-negative integer (digits only)");
        }
        return Fail(SocketIOErrorCode.InvalidJson, "the payload is not valid JSON");
    }

    /// <summary>True when <paramref name="json"/> is exactly one JSON value (surrounding whitespace allowed).</summary>
    internal static bool TryValidateJson(ReadOnlySpan<byte> json, out JsonTokenType kind)
    {
        kind = JsonTokenType.None;
        try
        {
            var reader = new Utf8JsonReader(json, Placeholders.ReaderOptions);
            if (!reader.Read())
            {
                return false;
            }
            kind = reader.TokenType;
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            kind = JsonTokenType.None;
            return false;
        }
    }

    /// <summary>Parses ASCII digits; false when the value exceeds <paramref name="max"/>.</summary>
    private static bool TryParseDigits(ReadOnlySpan<byte> digits, int max, out int value)
    {
        value = 0;
        long result = 0;
        foreach (var digit in digits)
        {
            result = (result * 10) + (digit - '0');
            if (result > max)
            {
                return false;
            }
        }
        value = (int)result;
        return true;
    }

    private static string Excerpt(ReadOnlySpan<byte> ascii) =>
        ascii.Length <= 20 ? Encoding.ASCII.GetString(ascii) : Encoding.ASCII.GetString(ascii[..20]) + "…";

    private static string Name(SocketIOPacketType type) => type switch
    {
        SocketIOPacketType.Connect => "CONNECT",
        SocketIOPacketType.Disconnect => "DISCONNECT",
        SocketIOPacketType.Event => "EVENT",
        SocketIOPacketType.Ack => "ACK",
        SocketIOPacketType.ConnectError => "CONNECT_ERROR",
        SocketIOPacketType.BinaryEvent => "BINARY_EVENT",
        _ => "BINARY_ACK",
    };

    private static SocketIOResult<SocketIOPacket> Fail(SocketIOErrorCode code, string message) =>
        SocketIOResult<SocketIOPacket>.Failure(code, message);
}
