using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Herald.AspNetCore.Transports;

/// <summary>
/// The server side of the RFC 6455 opening handshake, done by hand (rather than through
/// <c>AcceptWebSocketAsync</c>) so that the connection's stream can be wrapped in a
/// <see cref="CoalescingStream"/> before the WebSocket is created on it.
/// </summary>
internal static class WebSocketHandshake
{
    private static readonly byte[] Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8.ToArray();

    /// <summary>Null when the request is a valid WebSocket upgrade (HTTP/1.1) or extended CONNECT (HTTP/2, RFC 8441); otherwise why not.</summary>
    public static string? Check(HttpContext context)
    {
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            return string.Equals(connect.Protocol, "websocket", StringComparison.OrdinalIgnoreCase)
                && context.Request.Headers.SecWebSocketVersion.ToString() == "13"
                ? null
                : "an extended CONNECT for the 'websocket' protocol, version 13, is expected";
        }
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is null || !upgrade.IsUpgradableRequest || !HttpMethods.IsGet(context.Request.Method))
        {
            return "a WebSocket upgrade (GET with Upgrade: websocket) is expected";
        }
        var headers = context.Request.Headers;
        if (!headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        {
            return "the Upgrade header must be 'websocket'";
        }
        if (headers.SecWebSocketVersion.ToString() != "13")
        {
            return "Sec-WebSocket-Version must be 13";
        }
        var key = headers.SecWebSocketKey.ToString();
        Span<byte> decoded = stackalloc byte[32];
        if (!Convert.TryFromBase64String(key, decoded, out var length) || length != 16)
        {
            return "Sec-WebSocket-Key must be 16 bytes in base64";
        }
        return null;
    }

    /// <summary>Answers 101 Switching Protocols (or 200 to an HTTP/2 extended CONNECT) and returns the raw stream.</summary>
    public static Task<Stream> AcceptAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            return connect.AcceptAsync().AsTask();
        }
        var key = context.Request.Headers.SecWebSocketKey.ToString();
        var response = context.Response.Headers;
        response.Connection = "Upgrade";
        response.Upgrade = "websocket";
        response.SecWebSocketAccept = ComputeAccept(key);
        return context.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
    }

    private static string ComputeAccept(string key)
    {
        Span<byte> input = stackalloc byte[key.Length + Guid.Length];
        var written = Encoding.ASCII.GetBytes(key, input);
        Guid.CopyTo(input[written..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input[..(written + Guid.Length)], hash);
        return Convert.ToBase64String(hash);
    }
}
