namespace Herald.LoadGenerator.Wire;

/// <summary>What the generator speaks on its WebSocket connections.</summary>
public enum WireProtocol
{
    /// <summary>Herald's native JSON protocol at <c>/ws</c> (docs/protocol.md).</summary>
    Native,

    /// <summary>Engine.IO v4 / Socket.IO v5 over WebSocket at <c>/socket.io/</c>, default namespace.</summary>
    SocketIO,
}
