namespace Herald.Core.Operations;

/// <summary>
/// A long-running operation: type, resource, status, progress, message, error, parameters and times, plus
/// organisation, attempt, retry link, idempotency key, cancel request and result. Immutable: every
/// change is a new instance with a higher <see cref="Version"/>.
/// </summary>
public sealed record Operation
{
    public required string Id { get; init; }

    /// <summary>The organisation that owns it; only its members and API keys see it.</summary>
    public required string OrgId { get; init; }

    /// <summary>What it does, such as <c>service.restart</c> or <c>workspace.backup</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The channel of the resource it acts on, such as <c>connection:acme/7</c>.</summary>
    public required string Resource { get; init; }

    public OperationStatus Status { get; init; }

    /// <summary>0–100; never goes back.</summary>
    public int Progress { get; init; }

    public string? Message { get; init; }

    public string? Error { get; init; }

    /// <summary>The parameters as raw JSON (what the creator passed in); empty when none.</summary>
    public ReadOnlyMemory<byte> Parameters { get; init; }

    /// <summary>The worker's result as raw JSON; empty until set.</summary>
    public ReadOnlyMemory<byte> Result { get; init; }

    /// <summary>The user id, or <c>api:{key name}</c> for a backend.</summary>
    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When it reached a final status.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>1 for the first try; a retry has its predecessor's attempt + 1.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The id of the failed operation this one retries.</summary>
    public string? RetryOf { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>A user asked to cancel; the worker is told and ends it as cancelled.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>Incremented on every change, for optimistic concurrency in stores.</summary>
    public long Version { get; init; }

    /// <summary>The operation's own channel.</summary>
    public string Channel => ChannelFor(OrgId, Id);

    public static string ChannelFor(string orgId, string id) => $"operation:{orgId}/{id}";

    public static string NewId() => Internal.SortableId.Next("op_");
}
