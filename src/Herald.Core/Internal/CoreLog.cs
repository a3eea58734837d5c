using Microsoft.Extensions.Logging;

namespace Herald.Core.Internal;

/// <summary>Log messages of the engine, event ids 1000–1999. Never logs tokens, keys or payloads.</summary>
internal static partial class CoreLog
{
    [LoggerMessage(1000, LogLevel.Debug, "Client {ClientId} connected over {Transport}")]
    public static partial void Connected(this ILogger logger, string clientId, string transport);

    [LoggerMessage(1001, LogLevel.Debug, "Client {ClientId} authenticated as user {UserId} of {OrgId}")]
    public static partial void Authenticated(this ILogger logger, string clientId, string userId, string orgId);

    [LoggerMessage(1002, LogLevel.Debug, "Client {ClientId} subscribed to {Channel}")]
    public static partial void Subscribed(this ILogger logger, string clientId, string channel);

    [LoggerMessage(1003, LogLevel.Information, "Client {ClientId} disconnected by the server: {Code} {Reason}")]
    public static partial void Disconnected(this ILogger logger, string clientId, int code, string reason);

    [LoggerMessage(1004, LogLevel.Information, "Shutting down: disconnecting {Count} connections")]
    public static partial void ShuttingDown(this ILogger logger, int count);

    [LoggerMessage(1005, LogLevel.Warning, "Shutdown timed out with {Count} connections still open")]
    public static partial void ShutdownTimedOut(this ILogger logger, int count);

    [LoggerMessage(1006, LogLevel.Error, "Heartbeat loop failed")]
    public static partial void HeartbeatFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1008, LogLevel.Warning, "The broker reconnected; publications sent while it was away may be missing: {Count} connections were told to reconnect and recover")]
    public static partial void BrokerReconnected(this ILogger logger, int count);

    [LoggerMessage(1009, LogLevel.Error, "History maintenance failed")]
    public static partial void MaintenanceFailed(this ILogger logger, Exception exception);

    [LoggerMessage(1100, LogLevel.Warning, "Operation {OperationId}: publishing on {Channel} failed: {Message}")]
    public static partial void OperationPublishFailed(this ILogger logger, string operationId, string channel, string message);

    [LoggerMessage(1101, LogLevel.Warning, "Operation {OperationId} of type {Type}: the in-process handler failed")]
    public static partial void OperationHandlerFailed(this ILogger logger, Exception exception, string operationId, string type);

    [LoggerMessage(1010, LogLevel.Error, "Broker failed to unsubscribe from {Channel}")]
    public static partial void BrokerUnsubscribeFailed(this ILogger logger, Exception exception, string channel);

    [LoggerMessage(1011, LogLevel.Warning, "Broker failed to publish the transient event {Type} on {Channel}")]
    public static partial void BrokerTransientPublishFailed(this ILogger logger, Exception exception, string type, string channel);

    [LoggerMessage(1012, LogLevel.Error, "Client {ClientId}: the {Request} request failed inside the server")]
    public static partial void RequestFailed(this ILogger logger, Exception exception, string clientId, string request);

    [LoggerMessage(1013, LogLevel.Debug, "Client {ClientId} refused: {Reason}")]
    public static partial void Refused(this ILogger logger, string clientId, string reason);

    [LoggerMessage(1014, LogLevel.Debug, "Client {ClientId}: {Request} answered with error {Code}: {Message}")]
    public static partial void RequestRefused(this ILogger logger, string clientId, string request, int code, string message);
}
