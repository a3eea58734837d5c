using Herald.AspNetCore.Internal;
using Herald.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports;

/// <summary>Why a streaming transport refuses a connection before accepting it.</summary>
internal enum TransportRefusal
{
    /// <summary>The node is shutting down: 503.</summary>
    ShuttingDown,

    /// <summary>The <c>Origin</c> header is not on the allow-list: 403 (logged).</summary>
    OriginNotAllowed,
}

/// <summary>
/// The checks every streaming transport makes before it accepts a connection. The guard decides;
/// each transport writes the refusal in its own format (problem details here, Engine.IO's error
/// body in <see cref="SocketIO.EngineIOServer"/>).
/// </summary>
internal static class TransportGuard
{
    /// <summary>The message sent with <see cref="TransportRefusal.ShuttingDown"/>.</summary>
    public const string ShuttingDownMessage = "server is shutting down";

    /// <summary>The message sent with <see cref="TransportRefusal.OriginNotAllowed"/>.</summary>
    public const string OriginNotAllowedMessage = "origin not allowed";

    /// <summary>Answers 503 while shutting down and 403 for an origin not on the allow-list; true when the request may go on.</summary>
    public static async Task<bool> AdmitAsync(HttpContext context, Node node, OriginPolicy origins, ILogger logger)
    {
        var refusal = CheckShutdown(node) ?? CheckOrigin(context, origins, logger);
        if (refusal is null)
        {
            return true;
        }
        await HttpProblems.Write(context, StatusCode(refusal.Value), Message(refusal.Value)).ConfigureAwait(false);
        return false;
    }

    /// <summary><see cref="TransportRefusal.ShuttingDown"/> while the node is shutting down, otherwise null.</summary>
    public static TransportRefusal? CheckShutdown(Node node) => node.IsShuttingDown ? TransportRefusal.ShuttingDown : null;

    /// <summary><see cref="TransportRefusal.OriginNotAllowed"/> (and a log entry) for an origin not on the allow-list, otherwise null.</summary>
    public static TransportRefusal? CheckOrigin(HttpContext context, OriginPolicy origins, ILogger logger)
    {
        if (origins.IsAllowed(context))
        {
            return null;
        }
        logger.OriginRefused(context.Request.Headers.Origin.ToString(), context.Request.Path);
        return TransportRefusal.OriginNotAllowed;
    }

    /// <summary>The HTTP status of a refusal.</summary>
    public static int StatusCode(TransportRefusal refusal) => refusal == TransportRefusal.ShuttingDown
        ? StatusCodes.Status503ServiceUnavailable
        : StatusCodes.Status403Forbidden;

    /// <summary>The message of a refusal.</summary>
    public static string Message(TransportRefusal refusal) => refusal == TransportRefusal.ShuttingDown
        ? ShuttingDownMessage
        : OriginNotAllowedMessage;
}
