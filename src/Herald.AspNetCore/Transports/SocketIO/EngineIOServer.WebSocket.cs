using System.Net.WebSockets;
using Herald.AspNetCore.Internal;
using Herald.Protocol.SocketIO;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Transports.SocketIO;

internal sealed partial class EngineIOServer
{
    /// <summary>A session opened directly over WebSocket: the handshake packet first, then messages both ways.</summary>
    private async Task RunWebSocketAsync(HttpContext context, EngineIOSession session)
    {
        var client = session.Client;
        var (socket, stream) = await WebSocketPump.AcceptAsync(context).ConfigureAwait(false);
        try
        {
            client.Send(EngineIOHandshake.Open(session.Id, EngineIOHandshake.WebSocketUpgrades, PingInterval, PingTimeout, MaxPayload).Bytes);
            var writer = StartWriter(socket, stream, session);
            var reader = ReadAsync(socket, session, context.RequestAborted, upgrading: false);
            await WebSocketPump.RunAsync(socket, client, reader, writer).ConfigureAwait(false);
        }
        finally
        {
            client.Close();
            socket.Dispose();
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The upgrade of a polling session: answer the <c>2probe</c> with <c>3probe</c> (a waiting GET
    /// then ends with a noop), and on <c>5</c> move the session's output to this socket.
    /// </summary>
    private async Task UpgradeAsync(HttpContext context, EngineIOSession session)
    {
        var (socket, stream) = await WebSocketPump.AcceptAsync(context).ConfigureAwait(false);
        try
        {
            var reader = ReadAsync(socket, session, context.RequestAborted, upgrading: true, stream);
            await reader.ConfigureAwait(false);
            if (session.TransportState == EngineIOSession.WebSocket)
            {
                // The reader ended after the upgrade: the socket was the session's transport.
                session.Client.Close();
            }
            else
            {
                // The probe socket went away before the upgrade: polling goes on.
                session.TryMove(EngineIOSession.Probing, EngineIOSession.Polling);
            }
        }
        finally
        {
            socket.Dispose();
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task StartWriter(WebSocket socket, CoalescingStream stream, EngineIOSession session) =>
        WebSocketPump.WriteAsync(socket, stream, session.Client, code => handler.FinalFrames(session, code), logger);

    private async Task ReadAsync(WebSocket socket, EngineIOSession session, CancellationToken aborted, bool upgrading, CoalescingStream? stream = null)
    {
        Task? writer = null;
        await WebSocketPump.ReadAsync(socket, MaxPayload, async (bytes, type, oversized) =>
        {
            if (oversized)
            {
                logger.RequestFailed(session.Client.Id, 0, "message larger than maxPayload");
                CloseSession(session, CloseAnswer);
                socket.Abort();
                return;
            }
            var decoded = type == WebSocketMessageType.Binary ? EngineIOCodec.DecodeBinary(bytes, MaxPayload) : EngineIOCodec.DecodeText(bytes, MaxPayload);
            if (!decoded.TryGetValue(out var packet, out var error))
            {
                logger.RequestFailed(session.Client.Id, 0, error.Message);
                CloseSession(session, CloseAnswer);
                return;
            }
            if (upgrading && session.TransportState != EngineIOSession.WebSocket)
            {
                if (packet.Type == EngineIOPacketType.Ping && packet.IsProbe && session.TryMove(EngineIOSession.Polling, EngineIOSession.Probing))
                {
                    await socket.SendAsync(EngineIOFrame.PongProbe.Bytes, WebSocketMessageType.Text, true, aborted).ConfigureAwait(false);
                    session.WakePoll(NoopAnswer);
                    return;
                }
                if (packet.Type == EngineIOPacketType.Upgrade && session.TryMove(EngineIOSession.Probing, EngineIOSession.WebSocket))
                {
                    session.WakePoll(NoopAnswer);
                    writer = StartWriter(socket, stream!, session);
                    return;
                }
            }
            await session.Inbound.WaitAsync(aborted).ConfigureAwait(false);
            try
            {
                if (!await HandlePacketAsync(session, packet).ConfigureAwait(false))
                {
                    CloseSession(session, CloseAnswer);
                }
            }
            finally
            {
                session.Inbound.Release();
            }
        }, logger, session.Client.Id).ConfigureAwait(false);
        if (writer is not null)
        {
            session.Client.Close();
            if (await Task.WhenAny(writer, Task.Delay(WebSocketPump.CloseGrace)).ConfigureAwait(false) != writer)
            {
                socket.Abort();
            }
        }
    }
}
