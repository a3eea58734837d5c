using System.Text.Json;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Core.Requests;
using Herald.Messages;
using Herald.Messages.Requests;
using Herald.Protocol.SocketIO;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>
/// Herald behind Socket.IO: the <c>auth.token</c> of a namespace CONNECT (or the handshake's
/// <c>token</c>) is the JWT, and its <c>auth.apiKey</c> (or the handshake's <c>X-API-Key</c>) a
/// service's API key, checked as on <c>/ws</c>; events are requests (see
/// <see cref="SocketIORequests"/>), run by the node's <see cref="RequestHandler"/> and answered
/// through their ack with <c>{"ok":true,…}</c> or <c>{"ok":false,"error":{code,message}}</c>
/// (<see cref="SocketIOAnswers"/>); <c>echo</c> acks its arguments back (binary included).
/// Publications arrive as events named by their type. An event without an ack that fails is
/// reported as an <c>error</c> event.
/// </summary>
internal sealed class HeraldSocketIOHandler(Node node, ILogger logger) : ISocketIOHandler
{
    public async ValueTask<SocketIOConnectResult> ConnectAsync(SocketIOSocket socket, ReadOnlyMemory<byte> auth)
    {
        var client = socket.Client;
        if (client.Principal is not null)
        {
            // Another namespace of an authenticated session.
            return SocketIOConnectResult.Accept();
        }
        if (!TryGetAuthCredentials(auth, out var token, out var apiKey, out var malformed))
        {
            return SocketIOConnectResult.Refuse(malformed.Message, SocketIOAnswers.ConnectErrorData(malformed.Code));
        }
        var (error, _) = await node.Requests.AuthenticateAsync(client, token ?? socket.Session.HandshakeToken, apiKey ?? socket.Session.HandshakeApiKey).ConfigureAwait(false);
        if (error is { } e)
        {
            return SocketIOConnectResult.Refuse(e.Message, SocketIOAnswers.ConnectErrorData(e.Code));
        }
        // Subscriptions the server ends on its own are announced in the main namespace.
        client.SubscriptionEnded = (channel, reason) => socket.Emit("unsubscribed", SocketIOAnswers.Unsubscribed(channel, reason));
        client.TokenExpired = grace => socket.Emit("token_expired", SocketIOAnswers.TokenExpired(grace));
        return SocketIOConnectResult.Accept();
    }

    /// <summary>
    /// The <c>token</c> and <c>apiKey</c> of the CONNECT's <c>auth</c> object, each when it is a
    /// string; false when the auth is JSON the request reader refuses (too deep).
    /// </summary>
    private static bool TryGetAuthCredentials(ReadOnlyMemory<byte> auth, out string? token, out string? apiKey, out HeraldError error)
    {
        token = null;
        apiKey = null;
        error = default;
        if (auth.IsEmpty)
        {
            return true;
        }
        try
        {
            var reader = new Utf8JsonReader(auth.Span, RequestReader.ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return true;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isToken = reader.ValueTextEquals("token"u8);
                var isApiKey = !isToken && reader.ValueTextEquals("apiKey"u8);
                reader.Read();
                if (isToken && reader.TokenType == JsonTokenType.String)
                {
                    token = reader.GetString();
                }
                else if (isApiKey && reader.TokenType == JsonTokenType.String)
                {
                    apiKey = NullIfEmpty(reader.GetString());
                }
                else
                {
                    reader.Skip();
                }
            }
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = RequestReader.Malformed(ex);
            return false;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public void OnConnected(SocketIOSocket socket)
    {
    }

    /// <summary>The client left a namespace: the subscriptions made through it end (a closing session ends them all anyway).</summary>
    public void OnDisconnect(SocketIOSocket socket) => socket.Client.UnsubscribeAll(socket.Namespace);

    public async ValueTask OnEventAsync(SocketIOSocket socket, SocketIOPacket packet)
    {
        if (packet.EventName == "echo")
        {
            Echo(socket, packet);
            return;
        }
        var reply = new Reply(socket, packet.AckId, packet.EventName);
        if (!SocketIORequests.TryDecode(packet, out var request, out var error))
        {
            logger.RequestFailed(socket.Client.Id, (int)error.Code, error.Message);
            reply.Send(RequestResult.Failed(RequestKind.Subscribe, error));
            return;
        }
        await node.Requests.HandleAsync(socket.Client, request!, reply, socket.Target).ConfigureAwait(false);
    }

    /// <summary>Acks the arguments back unchanged, binary attachments included: a round trip for clients to check the link.</summary>
    private static void Echo(SocketIOSocket socket, SocketIOPacket packet)
    {
        if (packet.AckId is not { } ackId)
        {
            return;
        }
        if (packet.Attachments.Count > 0)
        {
            socket.Ack(ackId, packet.Arguments.Span, packet.Attachments.Select(a => (ReadOnlyMemory<byte>)a).ToList());
        }
        else
        {
            socket.Ack(ackId, packet.Arguments.Span);
        }
    }

    /// <summary>Answers through the event's ack; a failure of an event without one becomes an <c>error</c> event.</summary>
    private readonly struct Reply(SocketIOSocket socket, int? ackId, string? eventName) : IRequestReply
    {
        public void Send(RequestResult result)
        {
            if (ackId is { } id)
            {
                socket.Ack(id, SocketIOAnswers.Encode(result, eventName));
            }
            else if (result.Error is not null)
            {
                socket.Emit("error", SocketIOAnswers.Encode(result, eventName));
            }
        }
    }
}
