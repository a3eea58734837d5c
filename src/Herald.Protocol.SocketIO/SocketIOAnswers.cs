using System.Text.Json;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Requests;

namespace Herald.Protocol.SocketIO;

/// <summary>
/// Request results as Socket.IO ack arguments: <c>[{"ok":true,…}]</c> with the fields of the
/// native answer, or <c>[{"ok":false,"error":{"code":…,"message":…},"event":…}]</c> (also the
/// argument of an <c>error</c> event when the request asked for no ack). Pure; thread-safe.
/// </summary>
public static class SocketIOAnswers
{
    /// <summary>The ack arguments (a JSON array) answering <paramref name="eventName"/> with <paramref name="result"/>.</summary>
    public static byte[] Encode(RequestResult result, string? eventName) => JsonBytes.Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        if (result.Error is { } error)
        {
            WriteError(w, error, eventName);
        }
        else
        {
            w.WriteBoolean("ok"u8, true);
            WriteSuccess(w, result);
        }
        w.WriteEndObject();
        w.WriteEndArray();
    });

    /// <summary>The arguments of the <c>token_expired</c> event: <c>[{"code":109,"message":…,"grace":N}]</c>. A <c>refresh</c> within <c>grace</c> seconds keeps the session.</summary>
    public static byte[] TokenExpired(int grace) => JsonBytes.Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteNumber("code"u8, (int)HeraldErrorCode.TokenExpired);
        w.WriteString("message"u8, $"the token has expired: send refresh with a new token within {grace} seconds, or the connection closes with 3005");
        w.WriteNumber("grace"u8, grace);
        w.WriteEndObject();
        w.WriteEndArray();
    });

    /// <summary>The arguments of an <c>unsubscribed</c> event: the server ended a subscription on its own.</summary>
    public static byte[] Unsubscribed(string channel, HeraldError reason) => JsonBytes.Write(w =>
    {
        w.WriteStartArray();
        w.WriteStartObject();
        w.WriteString("channel"u8, channel);
        w.WriteNumber("code"u8, (int)reason.Code);
        w.WriteString("message"u8, reason.Message);
        w.WriteEndObject();
        w.WriteEndArray();
    });

    /// <summary>The <c>data</c> of a refused namespace CONNECT: <c>{"code":…}</c>.</summary>
    public static byte[] ConnectErrorData(HeraldErrorCode code) => JsonBytes.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("code"u8, (int)code);
        w.WriteEndObject();
    });

    private static void WriteError(Utf8JsonWriter w, HeraldError error, string? eventName)
    {
        w.WriteBoolean("ok"u8, false);
        w.WriteStartObject("error"u8);
        w.WriteNumber("code"u8, (int)error.Code);
        w.WriteString("message"u8, error.Message);
        w.WriteEndObject();
        if (eventName is not null)
        {
            w.WriteString("event"u8, eventName);
        }
    }

    private static void WriteSuccess(Utf8JsonWriter w, RequestResult result)
    {
        switch (result.Kind)
        {
            case RequestKind.Subscribe:
                StreamJson.WriteSubscribed(w, result.Subscribed!);
                return;
            case RequestKind.History:
                StreamJson.WriteHistory(w, result.Channel!, result.History!);
                return;
            case RequestKind.Presence:
                w.WriteString("channel"u8, result.Channel);
                StreamJson.WriteUsers(w, result.Users!);
                return;
            case RequestKind.Publish:
                var publication = result.Published!;
                w.WriteString("channel"u8, publication.Channel);
                w.WriteString("publicationId"u8, publication.Id);
                if (publication.Epoch is not null)
                {
                    w.WriteNumber("offset"u8, publication.Offset);
                    w.WriteString("epoch"u8, publication.Epoch);
                }
                return;
            case RequestKind.Refresh or RequestKind.Connect:
                var session = result.Session!;
                w.WriteString("client"u8, session.ClientId);
                w.WriteString("user"u8, session.UserId);
                w.WriteString("org"u8, session.OrgId);
                if (session.ExpiresIn is { } expires)
                {
                    w.WriteNumber("expires"u8, expires);
                }
                return;
            default:
                w.WriteString("channel"u8, result.Channel);
                return;
        }
    }
}
