using Herald.Protocol.SocketIO;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>The outcome of a namespace CONNECT: accepted, or refused with a message and optional JSON data.</summary>
internal readonly record struct SocketIOConnectResult(bool Accepted, string? Message = null, ReadOnlyMemory<byte> Data = default)
{
    public static SocketIOConnectResult Accept() => new(true);

    public static SocketIOConnectResult Refuse(string message, ReadOnlyMemory<byte> data = default) => new(false, message, data);
}

/// <summary>The application behind a Socket.IO server: Herald's channel mapping, or a test application.</summary>
internal interface ISocketIOHandler
{
    /// <summary>A client asks to join a namespace with its <c>auth</c> payload (raw JSON object; empty when none).</summary>
    ValueTask<SocketIOConnectResult> ConnectAsync(SocketIOSocket socket, ReadOnlyMemory<byte> auth);

    /// <summary>The CONNECT answer was sent: the socket may emit.</summary>
    void OnConnected(SocketIOSocket socket);

    /// <summary>An event (possibly with binary attachments and an ack id) arrived on a connected namespace.</summary>
    ValueTask OnEventAsync(SocketIOSocket socket, SocketIOPacket packet);

    /// <summary>The socket left its namespace (DISCONNECT packet or closed session).</summary>
    void OnDisconnect(SocketIOSocket socket);
}
