namespace Herald.Protocol.SocketIO;

/// <summary>Socket.IO v5 packet types; the first byte of a packet is the ASCII digit <c>'0' + type</c>.</summary>
public enum SocketIOPacketType : byte
{
    /// <summary>Client: join a namespace (optional auth object). Server: accepted, with <c>{"sid":…}</c>.</summary>
    Connect = 0,
    /// <summary>Leave a namespace (either side); no payload.</summary>
    Disconnect = 1,
    /// <summary>An event: <c>["name", …args]</c>, with an optional ack id.</summary>
    Event = 2,
    /// <summary>The answer to an event that carried an ack id: <c>[…args]</c>.</summary>
    Ack = 3,
    /// <summary>Server: joining the namespace was refused, with <c>{"message":…,"data":…}</c>.</summary>
    ConnectError = 4,
    /// <summary>An event with binary attachments, sent as separate binary messages after the header.</summary>
    BinaryEvent = 5,
    /// <summary>An ack with binary attachments.</summary>
    BinaryAck = 6,
}
