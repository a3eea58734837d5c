using System.Buffers;
using System.Net.WebSockets;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Core.Requests;
using Herald.Messages;
using Herald.Messages.Requests;
using Herald.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports;

/// <summary>
/// The native protocol over WebSocket at <c>/ws</c>. One instance serves all connections; each
/// connection runs a reader (frames → <see cref="NativeCodec"/> → request → the node's
/// <see cref="RequestHandler"/>) and a writer (drains the client's outbox, coalescing queued
/// frames into one write).
/// </summary>
internal sealed class WebSocketTransport(Node node, OriginPolicy origins, ILogger<WebSocketTransport> logger)
{
    /// <summary>The transport name in stats.</summary>
    public const string Name = "websocket";


    /// <summary>Handles one request to the endpoint.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        if (!await TransportGuard.AdmitAsync(context, node, origins, logger).ConfigureAwait(false))
        {
            return;
        }
        if (WebSocketHandshake.Check(context) is { } problem)
        {
            await HttpProblems.Write(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false);
            return;
        }
        var token = HttpAuthentication.GetBearerToken(context) ?? HttpAuthentication.GetQueryToken(context);
        var apiKey = HttpAuthentication.GetApiKey(context);

        var (socket, stream) = await WebSocketPump.AcceptAsync(context).ConfigureAwait(false);
        var client = node.CreateClient(Name, NativePublicationEncoder.Instance, NativeCodec.Ping);
        client.SubscriptionEnded = (channel, reason) => client.Send(NativeCodec.Unsubscribed(channel, reason));
        client.TokenExpired = grace => client.Send(NativeCodec.TokenExpired(grace));
        try
        {
            if (!string.IsNullOrEmpty(token) || apiKey is not null)
            {
                // Credentials with the upgrade: the answer is the first frame, without an id.
                await node.Requests.HandleAsync(client, new ConnectRequest(token) { ApiKey = apiKey }, new Reply(client, null)).ConfigureAwait(false);
            }
            var writer = WebSocketPump.WriteAsync(socket, stream, client, code => [new OutboundFrame(NativeCodec.Disconnect(code, client.ReconnectDelay))], logger);
            var reader = WebSocketPump.ReadAsync(socket, node.Options.Limits.MaxFrameBytes, (frame, type, oversized) => OnMessageAsync(client, frame, type, oversized),
                logger, client.Id);
            await WebSocketPump.RunAsync(socket, client, reader, writer).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.ClientFailed(ex, client.Id);
        }
        finally
        {
            client.Close();
            socket.Dispose();
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ValueTask OnMessageAsync(Client client, ReadOnlyMemory<byte> frame, WebSocketMessageType type, bool oversized)
    {
        if (client.DisconnectCode is not null || !client.OnMessageReceived())
        {
            return ValueTask.CompletedTask;
        }
        if (oversized)
        {
            return Refuse(client, null, new HeraldError(HeraldErrorCode.MessageTooLarge, $"frame is larger than {node.Options.Limits.MaxFrameBytes} bytes and was discarded"));
        }
        if (type == WebSocketMessageType.Binary)
        {
            return Refuse(client, null, new HeraldError(HeraldErrorCode.BinaryNotSupported, "binary frames are not supported: send JSON text frames"));
        }
        logger.FrameReceived(client.Id, frame.Length);
        if (!NativeCodec.TryParse(frame, out var decoded, out var error))
        {
            return Refuse(client, decoded.Id, error);
        }
        return node.Requests.HandleAsync(client, decoded.Request!, new Reply(client, decoded.Id));
    }

    private ValueTask Refuse(Client client, byte[]? id, HeraldError error)
    {
        logger.RequestFailed(client.Id, (int)error.Code, error.Message);
        client.Send(NativeCodec.Error(id, error));
        return ValueTask.CompletedTask;
    }

    /// <summary>Answers a request with a native frame carrying its id.</summary>
    private readonly struct Reply(Client client, byte[]? id) : IRequestReply
    {
        public void Send(RequestResult result) => client.Send(NativeCodec.Encode(id, result));
    }
}
