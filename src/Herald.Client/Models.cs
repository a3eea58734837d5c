using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Client;

/// <summary>The answer to a publish: where the publication landed. <see cref="Offset"/> and <see cref="Epoch"/> are null when the namespace keeps no stream.</summary>
public sealed record PublishResult(string Id, string Channel, string Type, DateTimeOffset Timestamp, long? Offset, string? Epoch);

/// <summary>The answer to a broadcast: one result per channel, in the order given.</summary>
public sealed record BroadcastResult(IReadOnlyList<PublishResult> Publications);

/// <summary>A long-running operation, as every operation answer and event carries it.</summary>
public sealed record Operation(
    string Id,
    string Channel,
    string Org,
    string Type,
    string Resource,
    string Status,
    int Progress,
    string? Message,
    string? Error,
    JsonElement? Parameters,
    JsonElement? Result,
    string? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    int Attempt,
    string? RetryOf,
    string? IdempotencyKey,
    bool CancelRequested)
{
    /// <summary>True once the status is <c>completed</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    [JsonIgnore]
    public bool IsFinal => Status is OperationStatus.Completed or OperationStatus.Failed or OperationStatus.Cancelled;
}

/// <summary>The status names of an operation.</summary>
public static class OperationStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>A worker's update of an operation (<c>PATCH</c>): null fields stay unchanged.</summary>
public sealed record OperationUpdate
{
    public string? Status { get; init; }
    public int? Progress { get; init; }
    public string? Message { get; init; }
    public string? Error { get; init; }
    public JsonElement? Result { get; init; }
}

/// <summary>A list of operations, newest first.</summary>
public sealed record OperationList(IReadOnlyList<Operation> Items);

/// <summary>A notification to send: exactly one of <see cref="User"/> and <see cref="Org"/>.</summary>
public sealed record NotificationRequest
{
    public string? User { get; init; }
    public string? Org { get; init; }
    public required string Title { get; init; }
    public required string Message { get; init; }
    /// <summary><c>info</c> (the server's default), <c>success</c>, <c>warning</c> or <c>error</c>.</summary>
    public string? Level { get; init; }
    public string? Link { get; init; }
    public JsonElement? Data { get; init; }
}

/// <summary>A stored notification, as its recipient sees it.</summary>
public sealed record Notification(
    string Id,
    string? User,
    string? Org,
    string Title,
    string Message,
    string Level,
    string? Link,
    JsonElement? Data,
    DateTimeOffset CreatedAt,
    bool Read);

/// <summary>A page of the inbox, newest first: pass <see cref="NextCursor"/> as <c>before</c> for the next one.</summary>
public sealed record NotificationPage(IReadOnlyList<Notification> Items, int Unread, string? NextCursor);

/// <summary>The unread count after marking read or dismissing.</summary>
public sealed record UnreadCount(string? Id, int Unread);

/// <summary>A node's counters.</summary>
public sealed record NodeStats(
    string? Node,
    string? Version,
    DateTimeOffset? StartedAt,
    DateTimeOffset? LastSeen,
    long Connections,
    long Users,
    long Channels,
    long Subscriptions,
    long MessagesIn,
    long MessagesOut,
    long Publications,
    long Dropped,
    long SlowConsumers);

/// <summary>The counters summed over every node.</summary>
public sealed record StatsTotals(long Nodes, long Connections, long Users, long Channels, long Subscriptions, long MessagesIn, long MessagesOut, long Publications, long Dropped, long SlowConsumers);

/// <summary><c>GET /api/stats</c>: the answering node as of now, every node of the cluster, their totals.</summary>
public sealed record ServerStats(
    string Node,
    long Connections,
    long Users,
    long Channels,
    long Subscriptions,
    long MessagesIn,
    long MessagesOut,
    long Publications,
    long Dropped,
    long SlowConsumers,
    double UptimeSeconds,
    IReadOnlyList<NodeStats> Nodes,
    StatsTotals Totals);

/// <summary>A channel with subscribers on the answering node.</summary>
public sealed record ChannelInfo(string Channel, int Subscribers);

/// <summary>The answer to a user's disconnect: the connections the answering node closed.</summary>
public sealed record DisconnectResult(string User, int Disconnected, string Node);
