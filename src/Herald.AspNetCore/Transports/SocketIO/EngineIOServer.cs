using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Messages;
using Herald.Protocol.SocketIO;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>
/// An Engine.IO v4 server, the transport under Socket.IO v5: the handshake, HTTP long-polling (one GET at a time, packets
/// joined with the record separator), WebSocket, the upgrade from polling to WebSocket (probe,
/// upgrade, noop), ping and pong (through the node's heartbeat: the client answers the <c>2</c>
/// frames with <c>3</c>), <c>maxPayload</c>, and the protocol's HTTP error answers. Every session is
/// a Herald <see cref="Client"/>: its transport drains the client's outbox, so publications reach
/// Socket.IO clients through the same bounded queue and encode-once path as every other transport.
/// </summary>
internal sealed partial class EngineIOServer(Node node, OriginPolicy origins, IEngineIOHandler handler, PublicationEncoder encoder, ILogger logger)
{
    /// <summary>The transport name in stats.</summary>
    public const string Name = "socketio";

    private readonly ConcurrentDictionary<string, EngineIOSession> _sessions = new(StringComparer.Ordinal);
    private static readonly byte[] CloseAnswer = "1"u8.ToArray();
    private static readonly byte[] NoopAnswer = "6"u8.ToArray();

    private int PingInterval => (int)(node.Options.Heartbeat.IntervalSeconds * 1000);

    private int PingTimeout => (int)(node.Options.Heartbeat.TimeoutSeconds * 1000);

    private int MaxPayload => node.Options.SocketIO.MaxPayload;

    /// <summary>Open sessions.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Handles one request to the endpoint.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        if (TransportGuard.CheckShutdown(node) is { } shuttingDown)
        {
            await Refuse(context, shuttingDown).ConfigureAwait(false);
            return;
        }
        if (QueryParameter.Get(context.Request, "EIO") != "4")
        {
            await Error(context, EngineIOHttpErrorCode.UnsupportedProtocolVersion).ConfigureAwait(false);
            return;
        }
        var transport = QueryParameter.Get(context.Request, "transport");
        if (transport is not ("polling" or "websocket"))
        {
            await Error(context, EngineIOHttpErrorCode.TransportUnknown).ConfigureAwait(false);
            return;
        }
        if (TransportGuard.CheckOrigin(context, origins, logger) is { } originRefused)
        {
            await Refuse(context, originRefused).ConfigureAwait(false);
            return;
        }
        var sid = QueryParameter.Get(context.Request, "sid") ?? "";
        if (transport == "websocket")
        {
            await HandleWebSocketRequestAsync(context, sid).ConfigureAwait(false);
        }
        else
        {
            await HandlePollingRequestAsync(context, sid).ConfigureAwait(false);
        }
    }

    private async Task HandleWebSocketRequestAsync(HttpContext context, string sid)
    {
        if (WebSocketHandshake.Check(context) is not null)
        {
            await Error(context, EngineIOHttpErrorCode.BadRequest).ConfigureAwait(false);
            return;
        }
        if (sid.Length == 0)
        {
            await RunWebSocketAsync(context, Open(context, webSocket: true)).ConfigureAwait(false);
            return;
        }
        if (!_sessions.TryGetValue(sid, out var upgrading) || upgrading.TransportState == EngineIOSession.Closed)
        {
            await Error(context, EngineIOHttpErrorCode.SessionIdUnknown).ConfigureAwait(false);
            return;
        }
        if (upgrading.TransportState != EngineIOSession.Polling)
        {
            await RefuseSecondUpgradeAsync(context).ConfigureAwait(false);
            return;
        }
        await UpgradeAsync(context, upgrading).ConfigureAwait(false);
    }

    /// <summary>Already upgraded (or upgrading): like the reference server, accept and close at once.</summary>
    private static async Task RefuseSecondUpgradeAsync(HttpContext context)
    {
        var (extra, extraStream) = await WebSocketPump.AcceptAsync(context).ConfigureAwait(false);
        using (extra)
        {
            using var timeout = new CancellationTokenSource(WebSocketPump.CloseGrace);
            try
            {
                await extra.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "session already upgraded", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or IOException)
            {
            }
        }
        await extraStream.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandlePollingRequestAsync(HttpContext context, string sid)
    {
        if (sid.Length == 0)
        {
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                await Error(context, EngineIOHttpErrorCode.BadHandshakeMethod).ConfigureAwait(false);
                return;
            }
            var session = Open(context, webSocket: false);
            await WriteText(context, EngineIOHandshake.Open(session.Id, EngineIOHandshake.PollingUpgrades, PingInterval, PingTimeout, MaxPayload).Bytes).ConfigureAwait(false);
            return;
        }
        if (!_sessions.TryGetValue(sid, out var polling) || polling.TransportState is EngineIOSession.WebSocket or EngineIOSession.Closed)
        {
            await Error(context, EngineIOHttpErrorCode.SessionIdUnknown).ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsGet(context.Request.Method))
        {
            await PollAsync(context, polling).ConfigureAwait(false);
        }
        else if (HttpMethods.IsPost(context.Request.Method))
        {
            await PostAsync(context, polling).ConfigureAwait(false);
        }
        else
        {
            await Error(context, EngineIOHttpErrorCode.BadRequest).ConfigureAwait(false);
        }
    }

    private EngineIOSession Open(HttpContext context, bool webSocket)
    {
        var client = node.CreateClient(Name, encoder, EngineIOFrame.Ping.Bytes);
        var session = new EngineIOSession(NewSessionId(), client, webSocket)
        {
            HandshakeToken = HttpAuthentication.GetBearerToken(context) ?? NullIfEmpty(HttpAuthentication.GetQueryToken(context)),
            HandshakeApiKey = HttpAuthentication.GetApiKey(context),
        };
        _sessions[session.Id] = session;
        handler.OnOpen(session, context);
        _ = WatchAsync(session);
        return session;
    }

    /// <summary>
    /// Ends the session when its client goes: at once when the transport closed it, or, for a
    /// server-side disconnect of a polling session, once a GET has taken the last frames (or after
    /// a heartbeat's worth of time, when no GET comes).
    /// </summary>
    private async Task WatchAsync(EngineIOSession session)
    {
        var client = session.Client;
        if (await Task.WhenAny(client.Disconnected, client.Closed).ConfigureAwait(false) == client.Disconnected
            && session.TransportState is EngineIOSession.Polling or EngineIOSession.Probing)
        {
            // A waiting GET takes the last frames (DISCONNECT packets that stop the client from
            // reconnecting) and the close packet. Without one, a client that stopped answering pings
            // is gone: end now; any other client polls again soon, so wait for that GET.
            if (session.IsPolling || client.DisconnectCode != DisconnectCode.NoPong)
            {
                session.WakePoll(CloseAnswer);
                await Task.WhenAny(client.Closed, Task.Delay(PingInterval + PingTimeout)).ConfigureAwait(false);
            }
            client.Close();
        }
        await client.Closed.ConfigureAwait(false);
        session.MarkClosed();
        _sessions.TryRemove(new KeyValuePair<string, EngineIOSession>(session.Id, session));
        handler.OnClose(session);
    }

    /// <summary>Closes a session from the protocol side (a close packet, a bad packet); a waiting GET gets <paramref name="pollAnswer"/>.</summary>
    private static void CloseSession(EngineIOSession session, byte[] pollAnswer)
    {
        session.MarkClosed();
        session.WakePoll(pollAnswer);
        session.Client.Close();
    }

    /// <summary>Handles one inbound packet, whatever the transport. False when the session must close for a bad packet.</summary>
    private async ValueTask<bool> HandlePacketAsync(EngineIOSession session, EngineIOPacket packet)
    {
        var client = session.Client;
        switch (packet.Type)
        {
            case EngineIOPacketType.Pong:
                client.OnActivity();
                return true;
            case EngineIOPacketType.Ping:
            case EngineIOPacketType.Noop:
                client.OnActivity();
                return true;
            case EngineIOPacketType.Message:
                if (client.OnMessageReceived())
                {
                    await handler.OnMessageAsync(session, packet).ConfigureAwait(false);
                }
                return true;
            case EngineIOPacketType.Close:
                CloseSession(session, NoopAnswer);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The node's name, a dot and 20 random URL-safe characters: a proxy in front of several nodes
    /// routes a session's polling requests and its upgrade to the node that holds the session by
    /// this prefix, without cookies or client addresses (docs/scaling.md).
    /// </summary>
    private string NewSessionId() => node.Name + "." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>
    /// A <see cref="TransportGuard"/> refusal in Engine.IO's format: shutting down is 503 with
    /// <c>{"code":3,"message":"server is shutting down"}</c>; a refused origin is the reference
    /// server's 403 <c>{"code":4,"message":"Forbidden"}</c>.
    /// </summary>
    private static Task Refuse(HttpContext context, TransportRefusal refusal) => refusal == TransportRefusal.ShuttingDown
        ? Error(context, EngineIOHttpErrorCode.BadRequest, TransportGuard.Message(refusal), TransportGuard.StatusCode(refusal))
        : Error(context, EngineIOHttpErrorCode.Forbidden);

    private static async Task Error(HttpContext context, EngineIOHttpErrorCode code, string? message = null, int? status = null)
    {
        context.Response.StatusCode = status ?? EngineIOHttpErrors.StatusCode(code);
        context.Response.ContentType = EngineIOHttpErrors.ContentType;
        var body = message is null ? EngineIOHttpErrors.Body(code).ToArray() : EngineIOHttpErrors.Body(code, message);
        await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
    }

    private static Task WriteText(HttpContext context, ReadOnlyMemory<byte> body)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = EngineIOCodec.PollingContentType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.Body.WriteAsync(body).AsTask();
    }
}
