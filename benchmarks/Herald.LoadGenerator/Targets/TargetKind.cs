namespace Herald.LoadGenerator.Targets;

/// <summary>The server under test.</summary>
public enum TargetKind
{
    /// <summary>Herald's standalone server from this repository's build.</summary>
    Herald,

    /// <summary>The reference Node.js Socket.IO 4 server in benchmarks/socketio-server.</summary>
    SocketIO,
}
