using System.Buffers;
using System.Net.WebSockets;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Channels;
using Herald.Core.History;
using Herald.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports;

/// <summary>
/// The native protocol over WebSocket at <c>/ws</c> (F-PR-1). One instance serves all connections;
/// each connection runs a reader (frames → <see cref="NativeCodec"/> → <see cref="Client"/>) and a
/// writer (drains the client's outbox, coalescing queued frames into one write).
/// </summary>
public sealed class WebSocketTransport(Node node, OriginPolicy origins, ILogger<WebSocketTransport> logger)
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
        TokenResult? auth = string.IsNullOrEmpty(token) ? null : await node.Tokens.ValidateAsync(token).ConfigureAwait(false);

        var (socket, stream) = await WebSocketPump.AcceptAsync(context).ConfigureAwait(false);
        var client = node.CreateClient(Name, NativePublicationEncoder.Instance, NativeCodec.Ping);
        try
        {
            if (auth is { } result)
            {
                Connect(client, result, id: null);
            }
            var writer = WebSocketPump.WriteAsync(socket, stream, client, code => [new OutboundFrame(NativeCodec.Disconnect(code))], logger);
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

    private async ValueTask OnMessageAsync(Client client, ReadOnlyMemory<byte> frame, WebSocketMessageType type, bool oversized)
    {
        if (client.DisconnectCode is not null || !client.OnMessageReceived())
        {
            return;
        }
        if (oversized)
        {
            Reply(client, null, new HeraldError(HeraldErrorCode.MessageTooLarge, $"frame is larger than {node.Options.Limits.MaxFrameBytes} bytes and was discarded"));
            return;
        }
        if (type == WebSocketMessageType.Binary)
        {
            Reply(client, null, new HeraldError(HeraldErrorCode.BinaryNotSupported, "binary frames are not supported: send JSON text frames"));
            return;
        }
        logger.FrameReceived(client.Id, frame.Length);
        try
        {
            await HandleFrameAsync(client, frame).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failure inside the server fails the request, not the connection.
            logger.ClientFailed(ex, client.Id);
            Reply(client, NativeCodec.FindId(frame), new HeraldError(HeraldErrorCode.Internal, "internal server error"));
        }
    }

    private async ValueTask HandleFrameAsync(Client client, ReadOnlyMemory<byte> frame)
    {
        if (!NativeCodec.TryParse(frame, out var request, out var error))
        {
            Reply(client, request.Id, error);
            return;
        }
        if (client.Principal is null && request.Type is not (NativeMessageType.Connect or NativeMessageType.Ping or NativeMessageType.Pong))
        {
            Reply(client, request.Id, new HeraldError(HeraldErrorCode.Unauthorized, "connection is not authenticated: send 'connect' with a token first"));
            return;
        }
        switch (request.Type)
        {
            case NativeMessageType.Connect:
                if (client.Principal is not null)
                {
                    Reply(client, request.Id, new HeraldError(HeraldErrorCode.AlreadyConnected, "connection is already authenticated"));
                    return;
                }
                Connect(client, await node.Tokens.ValidateAsync(request.Token).ConfigureAwait(false), request.Id);
                return;
            case NativeMessageType.Ping:
                client.Send(NativeCodec.Pong(request.Id));
                return;
            case NativeMessageType.Pong:
                client.OnActivity();
                return;
            case NativeMessageType.Subscribe:
            {
                var filter = TagFilter.Create(request.Filters, out var filterError);
                if (filterError is not null)
                {
                    Reply(client, request.Id, HeraldError.BadRequest(filterError));
                    return;
                }
                if (request.SinceOffset is not null && request.SinceEpoch is null)
                {
                    Reply(client, request.Id, HeraldError.BadRequest("'since' needs both 'offset' and 'epoch' to recover"));
                    return;
                }
                var id = request.Id;
                var subscribeError = await client.SubscribeAsync(request.Channel, filter, request.Since,
                    result => client.Send(NativeCodec.Subscribed(id, result)), presenceInfo: request.Info).ConfigureAwait(false);
                if (subscribeError is { } e)
                {
                    Reply(client, id, e);
                }
                return;
            }
            case NativeMessageType.Presence:
            {
                if (client.Authorize(request.Channel, out var name, out _) is { } denied)
                {
                    Reply(client, request.Id, denied);
                    return;
                }
                var (users, presenceError) = node.GetPresence(name.Value);
                if (presenceError is { } e)
                {
                    Reply(client, request.Id, e);
                }
                else
                {
                    client.Send(NativeCodec.Presence(request.Id, name.Value, users!));
                }
                return;
            }
            case NativeMessageType.RequestHistory:
            {
                if (client.Authorize(request.Channel, out var name, out _) is { } denied)
                {
                    Reply(client, request.Id, denied);
                    return;
                }
                var (page, historyError) = await node.ReadHistoryAsync(name.Value, request.Since, request.SinceOffset, request.Limit).ConfigureAwait(false);
                if (historyError is { } e)
                {
                    Reply(client, request.Id, e);
                }
                else
                {
                    client.Send(NativeCodec.History(request.Id, name.Value, page!));
                }
                return;
            }
            case NativeMessageType.Unsubscribe:
                Answer(client, request, client.Unsubscribe(request.Channel), "unsubscribed");
                return;
            case NativeMessageType.UpdateFilter:
            {
                var filter = TagFilter.Create(request.Filters, out var filterError);
                Answer(client, request, filterError is null ? client.UpdateFilter(request.Channel, filter) : HeraldError.BadRequest(filterError), "filter_updated");
                return;
            }
            case NativeMessageType.Publish:
            {
                if (string.IsNullOrEmpty(request.PublicationType))
                {
                    Reply(client, request.Id, HeraldError.BadRequest("'event' (the publication type) is required"));
                    return;
                }
                var publish = new PublishRequest(request.Channel, request.PublicationType, request.Data.ToArray(), request.Tags, request.Key);
                var (publication, publishError) = await client.PublishAsync(publish).ConfigureAwait(false);
                if (publishError is { } e)
                {
                    Reply(client, request.Id, e);
                }
                else
                {
                    client.Send(NativeCodec.Published(request.Id, publication!));
                }
                return;
            }
        }
    }

    private void Answer(Client client, NativeRequest request, HeraldError? error, string type)
    {
        if (error is { } e)
        {
            Reply(client, request.Id, e);
        }
        else
        {
            client.Send(NativeCodec.ChannelReply(type, request.Id, request.Channel!));
        }
    }

    private void Reply(Client client, byte[]? id, HeraldError error)
    {
        logger.RequestFailed(client.Id, (int)error.Code, error.Message);
        client.Send(NativeCodec.Error(id, error));
    }

    private void Connect(Client client, TokenResult result, byte[]? id)
    {
        if (!result.IsValid)
        {
            Reply(client, id, new HeraldError(result.Error, result.Message));
            logger.Refused(client.Id, result.Message);
            client.Disconnect(result.Error == HeraldErrorCode.TokenExpired ? DisconnectCode.TokenExpired : DisconnectCode.InvalidToken);
            return;
        }
        var principal = result.Principal!;
        if (client.Authenticate(principal) is { } code)
        {
            Reply(client, id, new HeraldError(HeraldErrorCode.LimitExceeded, $"user has the maximum of {node.Options.Limits.MaxConnectionsPerUser} connections"));
            client.Disconnect(code);
            return;
        }
        var heartbeat = node.Options.Heartbeat;
        client.Send(NativeCodec.Connected(id, client.Id, principal.UserId, principal.OrgId, heartbeat.IntervalSeconds, heartbeat.TimeoutSeconds));
    }

}
