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

    [LoggerMessage(1009, LogLevel.Error, "Maintenance failed")]
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

    [LoggerMessage(1200, LogLevel.Error, "Cluster heartbeat of node {Node} failed")]
    public static partial void ClusterHeartbeatFailed(this ILogger logger, Exception exception, string node);

    [LoggerMessage(1201, LogLevel.Warning, "Node {Dead} sent no heartbeat for {TimeoutSeconds} seconds: removed with its presence entries ({Leaves} leaves)")]
    public static partial void NodeRemovedAsDead(this ILogger logger, string dead, double timeoutSeconds, int leaves);

    [LoggerMessage(1202, LogLevel.Warning, "Node {Node} had been removed from the cluster as dead: joining its {Count} presence subscriptions again")]
    public static partial void PresenceRejoined(this ILogger logger, string node, int count);

    [LoggerMessage(1203, LogLevel.Error, "Presence {Step} on {Channel} failed")]
    public static partial void PresenceFailed(this ILogger logger, Exception exception, string step, string channel);

    [LoggerMessage(1204, LogLevel.Error, "The handler of the cluster signal {Type} from node {From} failed")]
    public static partial void ClusterSignalFailed(this ILogger logger, Exception exception, string type, string from);

    [LoggerMessage(1205, LogLevel.Warning, "Node {Node} could not leave the cluster cleanly; the others remove it when it times out")]
    public static partial void ClusterLeaveFailed(this ILogger logger, Exception exception, string node);

    [LoggerMessage(1206, LogLevel.Warning, "Sending the cluster signal {Type} failed")]
    public static partial void ClusterSignalSendFailed(this ILogger logger, Exception exception, string type);
}
