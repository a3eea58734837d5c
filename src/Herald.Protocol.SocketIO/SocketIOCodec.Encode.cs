using System.Text.Json;
using Herald.Protocol.SocketIO.Internal;

namespace Herald.Protocol.SocketIO;

public static partial class SocketIOCodec
{
    /// <summary>
    /// The CONNECT answer: <c>40{"sid":"…"}</c>, or <c>40/custom,{"sid":"…"}</c> for another namespace.
    /// </summary>
    /// <param name="namespace">The namespace joined, starting with <c>/</c>.</param>
    /// <param name="sid">The Socket.IO session id (distinct from the Engine.IO one).</param>
    public static EngineIOFrame EncodeConnect(string @namespace, string sid)
    {
        ArgumentNullException.ThrowIfNull(sid);
        var frame = Header(SocketIOPacketType.Connect, @namespace, attachments: -1, ackId: null);
        var w = frame.Json();
        w.WriteStartObject();
        w.WriteString("sid"u8, sid);
        w.WriteEndObject();
        return EngineIOFrame.Text(frame.ToArray());
    }

    /// <summary>
    /// The refusal of a CONNECT: <c>44{"message":"…"}</c>, or <c>44{"message":"…","data":{…}}</c>
    /// when <paramref name="data"/> (raw JSON, embedded verbatim) is given; the client's
    /// <c>connect_error</c> handler receives an Error with that message and data.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> is not empty and not exactly one JSON value.</exception>
    public static EngineIOFrame EncodeConnectError(string @namespace, string message, ReadOnlySpan<byte> data = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!data.IsEmpty && !TryValidateJson(data, out _))
        {
            throw new ArgumentException("The data must be one JSON value.", nameof(data));
        }
        var frame = Header(SocketIOPacketType.ConnectError, @namespace, attachments: -1, ackId: null);
        var w = frame.Json();
        w.WriteStartObject();
        w.WriteString("message"u8, message);
        if (!data.IsEmpty)
        {
            w.WritePropertyName("data"u8);
            w.WriteRawValue(data, skipInputValidation: true);
        }
        w.WriteEndObject();
        return EngineIOFrame.Text(frame.ToArray());
    }

    /// <summary>DISCONNECT from a namespace: <c>41</c>, or <c>41/admin,</c>.</summary>
    public static EngineIOFrame EncodeDisconnect(string @namespace) =>
        EngineIOFrame.Text(Header(SocketIOPacketType.Disconnect, @namespace, attachments: -1, ackId: null).ToArray());

    /// <summary>
    /// An EVENT: <c>42["name",…arguments]</c>, with <c>/ns,</c> for another namespace and the ack
    /// id before the array when the server expects an answer (<c>4212["name"]</c>).
    /// </summary>
    /// <param name="namespace">The namespace, starting with <c>/</c>.</param>
    /// <param name="eventName">The event name; not one of <see cref="ReservedEventNames"/>.</param>
    /// <param name="arguments">The arguments as one JSON array (possibly <c>[]</c>), embedded verbatim.</param>
    /// <param name="ackId">The id the client's ACK will carry, or null.</param>
    public static EngineIOFrame EncodeEvent(string @namespace, string eventName, ReadOnlySpan<byte> arguments, int? ackId = null)
    {
        CheckEvent(eventName, arguments, attachmentCount: -1);
        var frame = Header(SocketIOPacketType.Event, @namespace, attachments: -1, ackId);
        WriteEventArray(frame, eventName, arguments);
        return EngineIOFrame.Text(frame.ToArray());
    }

    /// <summary>An ACK answering the client's event <paramref name="ackId"/>: <c>43/ns,12[…]</c>, the arguments array embedded verbatim.</summary>
    public static EngineIOFrame EncodeAck(string @namespace, int ackId, ReadOnlySpan<byte> arguments)
    {
        CheckArguments(arguments, attachmentCount: -1);
        var frame = Header(SocketIOPacketType.Ack, @namespace, attachments: -1, ackId);
        frame.Raw(arguments);
        return EngineIOFrame.Text(frame.ToArray());
    }

    /// <summary>
    /// A BINARY_EVENT: the text header <c>45&lt;n&gt;-[/ns,][id]["name",…]</c> followed by one binary
    /// frame per attachment, to be sent in this order with nothing in between. The arguments refer
    /// to attachment k with a placeholder (see <see cref="WritePlaceholder"/>).
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="EncodeEvent"/>, or a placeholder outside the attachments.</exception>
    public static IReadOnlyList<EngineIOFrame> EncodeBinaryEvent(string @namespace, string eventName, ReadOnlySpan<byte> arguments, IReadOnlyList<ReadOnlyMemory<byte>> attachments, int? ackId = null)
    {
        ArgumentNullException.ThrowIfNull(attachments);
        CheckEvent(eventName, arguments, attachments.Count);
        var frame = Header(SocketIOPacketType.BinaryEvent, @namespace, attachments.Count, ackId);
        WriteEventArray(frame, eventName, arguments);
        return WithAttachments(frame.ToArray(), attachments);
    }

    /// <summary>A BINARY_ACK: the text header <c>46&lt;n&gt;-[/ns,]id[…]</c> followed by one binary frame per attachment.</summary>
    /// <exception cref="ArgumentException">The arguments are not one JSON array, or a placeholder is outside the attachments.</exception>
    public static IReadOnlyList<EngineIOFrame> EncodeBinaryAck(string @namespace, int ackId, ReadOnlySpan<byte> arguments, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        ArgumentNullException.ThrowIfNull(attachments);
        CheckArguments(arguments, attachments.Count);
        var frame = Header(SocketIOPacketType.BinaryAck, @namespace, attachments.Count, ackId);
        frame.Raw(arguments);
        return WithAttachments(frame.ToArray(), attachments);
    }

    /// <summary>Writes the placeholder for attachment <paramref name="num"/>: <c>{"_placeholder":true,"num":0}</c>.</summary>
    public static void WritePlaceholder(Utf8JsonWriter writer, int num)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfNegative(num);
        writer.WriteStartObject();
        writer.WriteBoolean("_placeholder"u8, true);
        writer.WriteNumber("num"u8, num);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Checks a namespace given to an encoder: it starts with <c>/</c> and has no <c>,</c> (which
    /// would end it early on the wire).
    /// </summary>
    /// <exception cref="ArgumentException">It does not.</exception>
    public static void ValidateNamespace(string @namespace)
    {
        ArgumentNullException.ThrowIfNull(@namespace);
        if (!@namespace.StartsWith('/') || @namespace.Contains(','))
        {
            throw new ArgumentException($"A namespace starts with '/' and has no ',': '{@namespace}'.", nameof(@namespace));
        }
    }

    /// <summary>
    /// The Engine.IO <c>4</c>, the type, the attachment count (if ≥ 0), the namespace and the ack id.
    /// </summary>
    private static FrameBuilder Header(SocketIOPacketType type, string @namespace, int attachments, int? ackId)
    {
        ValidateNamespace(@namespace);
        if (ackId is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ackId), ackId, "An ack id is non-negative.");
        }
        var frame = new FrameBuilder();
        Span<byte> prefix = [(byte)'4', (byte)('0' + (int)type)];
        frame.Raw(prefix);
        if (attachments >= 0)
        {
            frame.Number(attachments);
            frame.Raw("-"u8);
        }
        if (@namespace != SocketIOPacket.DefaultNamespace)
        {
            frame.Utf8(@namespace);
            frame.Raw(","u8);
        }
        if (ackId is { } id)
        {
            frame.Number(id);
        }
        return frame;
    }

    /// <summary>Writes <c>["name"</c>, then the arguments' elements after a comma, then <c>]</c>.</summary>
    private static void WriteEventArray(FrameBuilder frame, string eventName, ReadOnlySpan<byte> arguments)
    {
        frame.Raw("["u8);
        frame.Json().WriteStringValue(eventName);
        var inner = InnerElements(arguments);
        if (!inner.IsEmpty)
        {
            frame.Raw(","u8);
            frame.Raw(inner);
        }
        frame.Raw("]"u8);
    }

    /// <summary>The bytes between the brackets of a validated array, empty when it has no element.</summary>
    private static ReadOnlySpan<byte> InnerElements(ReadOnlySpan<byte> array)
    {
        var inner = array.Trim(" \t\r\n"u8);
        return inner[1..^1].Trim(" \t\r\n"u8);
    }

    private static void CheckEvent(string eventName, ReadOnlySpan<byte> arguments, int attachmentCount)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        if (ReservedEventNames.Contains(eventName))
        {
            throw new ArgumentException($"'{eventName}' is a reserved event name.", nameof(eventName));
        }
        CheckArguments(arguments, attachmentCount);
    }

    private static void CheckArguments(ReadOnlySpan<byte> arguments, int attachmentCount)
    {
        if (!TryValidateJson(arguments, out var kind) || kind != JsonTokenType.StartArray)
        {
            throw new ArgumentException("The arguments must be one JSON array.", nameof(arguments));
        }
        if (attachmentCount >= 0 && !Placeholders.TryValidate(arguments, attachmentCount, out var error))
        {
            throw new ArgumentException(error.Message, nameof(arguments));
        }
    }

    private static EngineIOFrame[] WithAttachments(byte[] header, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        var frames = new EngineIOFrame[1 + attachments.Count];
        frames[0] = EngineIOFrame.Text(header);
        for (var i = 0; i < attachments.Count; i++)
        {
            frames[i + 1] = EngineIOFrame.Binary(attachments[i]);
        }
        return frames;
    }
}
