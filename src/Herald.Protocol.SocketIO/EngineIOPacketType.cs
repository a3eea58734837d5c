namespace Herald.Protocol.SocketIO;

/// <summary>
/// Engine.IO v4 packet types. In a text packet the type is the first byte, as the ASCII digit
/// <c>'0' + type</c>; a binary packet is always a <see cref="Message"/>.
/// </summary>
public enum EngineIOPacketType : byte
{
    /// <summary>The handshake, sent by the server with the session parameters.</summary>
    Open = 0,
    /// <summary>The transport can be closed (sent by either side).</summary>
    Close = 1,
    /// <summary>Heartbeat request, sent by the server (and by the client with <c>probe</c> during an upgrade).</summary>
    Ping = 2,
    /// <summary>Heartbeat answer, sent by the client (and by the server with <c>probe</c> during an upgrade).</summary>
    Pong = 3,
    /// <summary>Application data: one Socket.IO packet, text or binary.</summary>
    Message = 4,
    /// <summary>Completes an upgrade from long-polling to WebSocket (sent by the client).</summary>
    Upgrade = 5,
    /// <summary>No operation; ends a pending long-polling request during an upgrade or a close.</summary>
    Noop = 6,
}
