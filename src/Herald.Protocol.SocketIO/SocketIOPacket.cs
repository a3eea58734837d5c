using System.Text;
using System.Text.Json.Nodes;
using Herald.Protocol.SocketIO.Internal;

namespace Herald.Protocol.SocketIO;

/// <summary>
/// One decoded Socket.IO packet. Immutable and self-contained: it owns copies of its payload and
/// attachments, so it may outlive the frames it came from and be shared across threads.
/// </summary>
/// <remarks>
/// <para>An event is represented as its <see cref="EventName"/>, the raw JSON of its
/// <see cref="Arguments"/> (the array after the name, placeholders still in place) and its
/// <see cref="Attachments"/>. Herald's consumers read JSON, so the common, binary-free case needs
/// no tree at all; <see cref="ResolveArguments"/> builds one with the attachments in place.</para>
/// <para>Binary packets keep their wire type (<see cref="SocketIOPacketType.BinaryEvent"/>,
/// <see cref="SocketIOPacketType.BinaryAck"/>); use <see cref="IsEvent"/> and <see cref="IsAck"/> to
/// treat them like their text counterparts.</para>
/// </remarks>
public sealed class SocketIOPacket
{
    /// <summary>The default namespace, omitted on the wire.</summary>
    public const string DefaultNamespace = "/";

    private static readonly IReadOnlyList<byte[]> NoAttachments = [];

    internal SocketIOPacket(
        SocketIOPacketType type,
        string @namespace,
        int? ackId,
        ReadOnlyMemory<byte> payload,
        string? eventName,
        ReadOnlyMemory<byte> arguments,
        int attachmentCount,
        IReadOnlyList<byte[]>? attachments)
    {
        Type = type;
        Namespace = @namespace;
        AckId = ackId;
        Payload = payload;
        EventName = eventName;
        Arguments = arguments;
        AttachmentCount = attachmentCount;
        Attachments = attachments ?? NoAttachments;
    }

    /// <summary>The packet type as sent.</summary>
    public SocketIOPacketType Type { get; }

    /// <summary>The namespace, always starting with <c>/</c>; <see cref="DefaultNamespace"/> when the packet named none.</summary>
    public string Namespace { get; }

    /// <summary>The ack id: set on an event that expects an answer, and on every ack. Non-negative.</summary>
    public int? AckId { get; }

    /// <summary>
    /// The whole JSON payload as sent (UTF-8, validated): the auth object of a CONNECT, the
    /// <c>["name", …]</c> array of an event, the array of an ack, the object or string of a
    /// CONNECT_ERROR. Empty when the packet has none.
    /// </summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The event name (events only).</summary>
    public string? EventName { get; }

    /// <summary>
    /// The arguments as a JSON array: for an event, the payload without its name
    /// (<c>["hello",1,{"a":2}]</c> gives <c>[1,{"a":2}]</c>); for an ack, the payload. Binary
    /// placeholders are still in place. Empty for other packet types.
    /// </summary>
    public ReadOnlyMemory<byte> Arguments { get; }

    /// <summary>The number of attachments the header announced (binary packets only).</summary>
    public int AttachmentCount { get; }

    /// <summary>The attachments in order, placeholder <c>num</c> k being <c>Attachments[k]</c>. Empty until complete.</summary>
    public IReadOnlyList<byte[]> Attachments { get; }

    /// <summary>True for EVENT and BINARY_EVENT.</summary>
    public bool IsEvent => Type is SocketIOPacketType.Event or SocketIOPacketType.BinaryEvent;

    /// <summary>True for ACK and BINARY_ACK.</summary>
    public bool IsAck => Type is SocketIOPacketType.Ack or SocketIOPacketType.BinaryAck;

    /// <summary>True for BINARY_EVENT and BINARY_ACK.</summary>
    public bool IsBinary => Type is SocketIOPacketType.BinaryEvent or SocketIOPacketType.BinaryAck;

    /// <summary>True when every announced attachment is present (always true for text packets).</summary>
    public bool IsComplete => Attachments.Count == AttachmentCount;

    /// <summary>
    /// Parses <see cref="Arguments"/> into a mutable tree for the application. In a binary packet,
    /// each placeholder object <c>{"_placeholder":true,"num":k}</c> becomes a <see cref="JsonValue"/>
    /// holding attachment k as a <c>byte[]</c> (read it with <c>node.GetValue&lt;byte[]&gt;()</c> or
    /// <c>TryGetValue&lt;byte[]&gt;</c>; serializing the tree writes it as a base64 string). A placeholder
    /// used twice yields the same array. In a text packet, placeholder-shaped objects are plain data,
    /// as in the reference implementation. Duplicate object keys keep the last value.
    /// </summary>
    /// <exception cref="InvalidOperationException">The packet is not an event or an ack, or is not complete.</exception>
    public JsonArray ResolveArguments()
    {
        if (!IsEvent && !IsAck)
        {
            throw new InvalidOperationException($"A {Type} packet has no arguments.");
        }
        if (!IsComplete)
        {
            throw new InvalidOperationException("The packet is still waiting for attachments.");
        }
        return Placeholders.Resolve(Arguments, IsBinary ? Attachments : null);
    }

    /// <summary>The same header with its attachments.</summary>
    internal SocketIOPacket WithAttachments(IReadOnlyList<byte[]> attachments) =>
        new(Type, Namespace, AckId, Payload, EventName, Arguments, AttachmentCount, attachments);

    /// <summary>For diagnostics and tests: <c>Event /admin #12 ["hello",1] +2 attachments</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(Type).Append(' ').Append(Namespace);
        if (AckId is { } id)
        {
            text.Append(" #").Append(id);
        }
        if (!Payload.IsEmpty)
        {
            text.Append(' ').Append(Encoding.UTF8.GetString(Payload.Span));
        }
        if (IsBinary)
        {
            text.Append(" +").Append(Attachments.Count).Append('/').Append(AttachmentCount).Append(" attachments");
        }
        return text.ToString();
    }
}
