using System.Security.Cryptography;
using Herald.AspNetCore;
using Herald.AspNetCore.Transports.SocketIO;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Messages;
using Herald.Protocol.SocketIO;
using Microsoft.Extensions.Options;

namespace Herald.SocketIO.ComplianceServer;

/// <summary>
/// Builds the app the suites' READMEs describe: pingInterval 300, pingTimeout 200, maxPayload
/// 1000000, connectTimeout 1000, CORS for any origin; an Engine.IO server at <c>/engine.io/</c>
/// that echoes every message, and a Socket.IO server at <c>/socket.io/</c> whose main namespace
/// emits <c>auth</c> on connection, answers <c>message</c> with <c>message-back</c> and acks
/// <c>message-with-ack</c>, with a <c>/custom</c> namespace that emits <c>auth</c>.
/// </summary>
public static class ComplianceApplication
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddHerald(options =>
        {
            options.Auth.JwtSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            options.AllowedOrigins = ["*"];
            options.Heartbeat.IntervalSeconds = 0.3;
            options.Heartbeat.TimeoutSeconds = 0.2;
            options.Limits.HandshakeTimeoutSeconds = 1;
            options.Limits.MaxMessagesPerSecond = 100_000;
            options.Limits.MessageBurst = 100_000;
            options.SocketIO.MaxPayload = 1_000_000;
            // The suite awaits one message at a time with one-shot listeners: two frames in one TCP
            // segment arrive in one tick and the second is missed. Real clients keep their listeners.
            options.Limits.CoalesceWrites = false;
            options.SocketIO.Namespaces = ["/", "/custom"];
        });
        var app = builder.Build();
        app.UseCors();
        var node = app.Services.GetRequiredService<Node>();
        var origins = app.Services.GetRequiredService<OriginPolicy>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Compliance");
        var encoder = new SocketIOPublicationEncoder("/");
        var namespaces = node.Options.SocketIO.Namespaces.Distinct(StringComparer.Ordinal).ToDictionary(n => n, n => n == "/" ? encoder : new SocketIOPublicationEncoder(n), StringComparer.Ordinal);
        var engine = new EngineIOServer(node, origins, new EchoHandler(), encoder, logger);
        var socketIO = new EngineIOServer(node, origins, new SocketIOServer(new ReferenceHandler(), namespaces, 10, logger), encoder, logger);
        app.Map("/engine.io/", engine.HandleAsync).RequireCors(HeraldServiceCollectionExtensions.CorsPolicy);
        app.Map("/socket.io/", socketIO.HandleAsync).RequireCors(HeraldServiceCollectionExtensions.CorsPolicy);
        return app;
    }

    /// <summary>A plain Engine.IO application: every message goes back as it came, text or binary.</summary>
    private sealed class EchoHandler : IEngineIOHandler
    {
        public void OnOpen(EngineIOSession session, HttpContext context) =>
            session.Client.Authenticate(new HeraldPrincipal("engine.io:" + session.Id, "compliance"));

        public ValueTask OnMessageAsync(EngineIOSession session, EngineIOPacket packet)
        {
            var frame = EngineIOCodec.Encode(packet);
            session.Client.Send(new OutboundFrame(frame.Bytes.ToArray(), frame.IsBinary));
            return ValueTask.CompletedTask;
        }

        public IEnumerable<OutboundFrame> FinalFrames(EngineIOSession session, DisconnectCode code) => [];

        public void OnClose(EngineIOSession session)
        {
        }
    }

    /// <summary>The reference server's handlers.</summary>
    private sealed class ReferenceHandler : ISocketIOHandler
    {
        private readonly Dictionary<SocketIOSocket, byte[]> _auth = [];

        public ValueTask<SocketIOConnectResult> ConnectAsync(SocketIOSocket socket, ReadOnlyMemory<byte> auth)
        {
            if (socket.Client.Principal is null)
            {
                socket.Client.Authenticate(new HeraldPrincipal("socket.io:" + socket.Session.Id, "compliance"));
            }
            lock (_auth)
            {
                _auth[socket] = auth.IsEmpty ? "{}"u8.ToArray() : auth.ToArray();
            }
            return ValueTask.FromResult(SocketIOConnectResult.Accept());
        }

        public void OnConnected(SocketIOSocket socket)
        {
            byte[] auth;
            lock (_auth)
            {
                auth = _auth[socket];
            }
            // The reference server emits from its connection handler on a later event-loop tick; the
            // suite's one-shot listeners need the CONNECT answer and this event in separate reads.
            _ = Task.Delay(20).ContinueWith(_ => socket.Emit("auth", [(byte)'[', .. auth, (byte)']']), TaskScheduler.Default);
        }

        public ValueTask OnEventAsync(SocketIOSocket socket, SocketIOPacket packet)
        {
            if (socket.Namespace != "/")
            {
                return ValueTask.CompletedTask;
            }
            var attachments = packet.Attachments.Select(a => (ReadOnlyMemory<byte>)a).ToList();
            switch (packet.EventName)
            {
                case "message" when attachments.Count > 0:
                    socket.Emit("message-back", packet.Arguments.Span, attachments);
                    break;
                case "message":
                    socket.Emit("message-back", packet.Arguments.Span);
                    break;
                case "message-with-ack" when packet.AckId is { } id && attachments.Count > 0:
                    socket.Ack(id, packet.Arguments.Span, attachments);
                    break;
                case "message-with-ack" when packet.AckId is { } id:
                    socket.Ack(id, packet.Arguments.Span);
                    break;
            }
            return ValueTask.CompletedTask;
        }

        public void OnDisconnect(SocketIOSocket socket)
        {
            lock (_auth)
            {
                _auth.Remove(socket);
            }
        }
    }
}
