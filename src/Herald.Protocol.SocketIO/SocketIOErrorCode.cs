namespace Herald.Protocol.SocketIO;

/// <summary>
/// Why an Engine.IO or Socket.IO input was refused. Every decoder of this library reports
/// malformed input with one of these codes instead of throwing. Both protocols say the receiver
/// must close the connection on malformed input: a transport should close the Engine.IO session
/// (HTTP 400 to a polling request) whatever the code, and may log the code.
/// </summary>
public enum SocketIOErrorCode
{
    /// <summary>No error: the result succeeded.</summary>
    None = 0,

    // ---- Engine.IO -----------------------------------------------------------------------

    /// <summary>An Engine.IO packet, a polling payload or one record of it is empty.</summary>
    EmptyPacket = 1,

    /// <summary>The first byte is not an Engine.IO packet type (<c>0</c>–<c>6</c>, or <c>b</c> for base64 in text), or not a Socket.IO packet type (<c>0</c>–<c>6</c>).</summary>
    UnknownPacketType = 2,

    /// <summary>A <c>b</c>-prefixed packet does not hold valid, padded base64 (ASCII whitespace is skipped, as <c>atob</c> does).</summary>
    InvalidBase64 = 3,

    /// <summary>The frame or polling body is larger than the session's <c>maxPayload</c>.</summary>
    PayloadTooLarge = 4,

    /// <summary>A text packet is not valid UTF-8.</summary>
    InvalidUtf8 = 5,

    // ---- Socket.IO -----------------------------------------------------------------------

    /// <summary>A BINARY_EVENT or BINARY_ACK header does not start with <c>&lt;digits&gt;-</c> (missing, negative or non-numeric count).</summary>
    InvalidAttachmentCount = 10,

    /// <summary>A binary header announces more attachments than the assembler's maximum.</summary>
    TooManyAttachments = 11,

    /// <summary>The namespace does not start with <c>/</c> or is not valid text.</summary>
    InvalidNamespace = 12,

    /// <summary>The ack id is not made of digits, is negative, overflows a 32-bit integer, is missing on an ACK, or is present on a packet type that has none.</summary>
    InvalidAckId = 13,

    /// <summary>The payload is not one well-formed JSON value.</summary>
    InvalidJson = 14,

    /// <summary>The payload is well-formed JSON of the wrong kind for the packet type, or is missing where required.</summary>
    InvalidPayload = 15,

    /// <summary>An event uses a name reserved by Socket.IO (<c>connect</c>, <c>connect_error</c>, <c>disconnect</c>, <c>disconnecting</c>, <c>newListener</c>, <c>removeListener</c>).</summary>
    ReservedEventName = 16,

    /// <summary>A binary placeholder has no <c>num</c>, a <c>num</c> that is not an integer, or one outside the announced attachments.</summary>
    InvalidPlaceholder = 17,

    /// <summary>A binary message arrived while no binary packet was waiting for attachments.</summary>
    UnexpectedBinary = 18,

    /// <summary>A text packet arrived while a binary packet was still waiting for attachments.</summary>
    UnexpectedText = 19,
}
