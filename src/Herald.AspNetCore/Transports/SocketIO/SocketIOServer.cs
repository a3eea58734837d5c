using System.Security.Cryptography;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Messages;
using Herald.Protocol.SocketIO;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>
/// Socket.IO v5 over Engine.IO: namespaces (configured ones, each with its publication encoder; others get CONNECT_ERROR),
/// CONNECT with the <c>auth</c> payload, DISCONNECT, EVENT and ACK with binary attachments (a
/// bounded number). A malformed packet closes the session, as the protocol asks. The application
/// is an <see cref="ISocketIOHandler"/>.
/// </summary>
internal sealed class SocketIOServer(ISocketIOHandler application, IReadOnlyDictionary<string, SocketIOPublicationEncoder> namespaces, int maxAttachments, ILogger logger) : IEngineIOHandler
{
    private sealed class State(int maxAttachments)
    {
        public readonly SocketIOPacketAssembler Assembler = new(maxAttachments);
        public readonly Dictionary<string, SocketIOSocket> Sockets = new(StringComparer.Ordinal);
    }

    public void OnOpen(EngineIOSession session, HttpContext context) => session.State = new State(maxAttachments);

    public async ValueTask OnMessageAsync(EngineIOSession session, EngineIOPacket message)
    {
        var state = (State)session.State!;
        if (!state.Assembler.Add(message).TryGetValue(out var packet, out var error))
        {
            logger.RequestFailed(session.Client.Id, 0, error.Message);
            session.Client.Close();
            return;
        }
        if (packet is null)
        {
            return;
        }
        switch (packet.Type)
        {
            case SocketIOPacketType.Connect:
                await ConnectAsync(session, state, packet).ConfigureAwait(false);
                return;
            case SocketIOPacketType.Disconnect:
                if (state.Sockets.Remove(packet.Namespace, out var leaving))
                {
                    application.OnDisconnect(leaving);
                }
                return;
            case SocketIOPacketType.Event or SocketIOPacketType.BinaryEvent:
                if (state.Sockets.TryGetValue(packet.Namespace, out var socket))
                {
                    await application.OnEventAsync(socket, packet).ConfigureAwait(false);
                }
                return;
            case SocketIOPacketType.Ack or SocketIOPacketType.BinaryAck:
                // The server asks for no acks: nothing waits for one.
                return;
            default:
                logger.RequestFailed(session.Client.Id, 0, $"unexpected packet {packet.Type}");
                session.Client.Close();
                return;
        }
    }

    private async ValueTask ConnectAsync(EngineIOSession session, State state, SocketIOPacket packet)
    {
        var client = session.Client;
        if (!namespaces.TryGetValue(packet.Namespace, out var encoder))
        {
            client.Send(Frame(SocketIOCodec.EncodeConnectError(packet.Namespace, "Invalid namespace")));
            return;
        }
        if (state.Sockets.ContainsKey(packet.Namespace))
        {
            return;
        }
        var socket = new SocketIOSocket(session, packet.Namespace, NewSocketId(), encoder);
        var result = await application.ConnectAsync(socket, packet.Payload).ConfigureAwait(false);
        if (!result.Accepted)
        {
            client.Send(Frame(SocketIOCodec.EncodeConnectError(packet.Namespace, result.Message ?? "connection refused", result.Data.Span)));
            return;
        }
        state.Sockets[packet.Namespace] = socket;
        client.Send(Frame(SocketIOCodec.EncodeConnect(packet.Namespace, socket.Id)));
        application.OnConnected(socket);
    }

    /// <summary>
    /// A terminal disconnect (do not reconnect) tells each namespace with a DISCONNECT packet, which
    /// socket.io-client takes as "io server disconnect" and does not retry; a reconnectable one
    /// (shutdown, slow consumer, no pong) just closes the transport, and the client reconnects.
    /// </summary>
    public IEnumerable<OutboundFrame> FinalFrames(EngineIOSession session, DisconnectCode code) =>
        HeraldCodes.ShouldReconnect(code) || session.State is not State state
            ? []
            : state.Sockets.Keys.Select(ns => Frame(SocketIOCodec.EncodeDisconnect(ns))).ToList();

    public void OnClose(EngineIOSession session)
    {
        if (session.State is State state)
        {
            foreach (var socket in state.Sockets.Values)
            {
                application.OnDisconnect(socket);
            }
            state.Sockets.Clear();
        }
    }

    private static OutboundFrame Frame(EngineIOFrame frame) => new(frame.Bytes, frame.IsBinary);

    private static string NewSocketId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');
}
