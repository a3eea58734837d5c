using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Internal;

/// <summary>Log messages of the transports and the HTTP API, event ids 2000–2999. Never logs tokens, keys or payloads.</summary>
internal static partial class TransportLog
{
    [LoggerMessage(2000, LogLevel.Debug, "Client {ClientId} refused: {Reason}")]
    public static partial void Refused(this ILogger logger, string clientId, string reason);

    [LoggerMessage(2001, LogLevel.Debug, "Client {ClientId} connection ended: {Message}")]
    public static partial void ConnectionEnded(this ILogger logger, string clientId, string message);

    [LoggerMessage(2002, LogLevel.Trace, "Client {ClientId} sent frame of {Length} bytes")]
    public static partial void FrameReceived(this ILogger logger, string clientId, int length);

    [LoggerMessage(2003, LogLevel.Debug, "Client {ClientId} request failed: {Code} {Message}")]
    public static partial void RequestFailed(this ILogger logger, string clientId, int code, string message);

    [LoggerMessage(2004, LogLevel.Warning, "Origin {Origin} refused for {Path}")]
    public static partial void OriginRefused(this ILogger logger, string origin, string path);

    [LoggerMessage(2005, LogLevel.Error, "Client {ClientId} failed")]
    public static partial void ClientFailed(this ILogger logger, Exception exception, string clientId);

    [LoggerMessage(2006, LogLevel.Information, "API key {KeyName} disconnected user {UserId} ({Count} connections)")]
    public static partial void UserDisconnected(this ILogger logger, string keyName, string userId, int count);
}
