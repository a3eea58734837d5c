using Herald.Core.History;

namespace Herald.Core.Channels;

/// <summary>How publications of a namespace reach subscribers: one by one, in batches, or conflated per key.</summary>
public enum DeliveryMode
{
    /// <summary>Each publication as its own frame, at once.</summary>
    Each,
    /// <summary>Publications gathered into one <c>batch</c> frame of at most <see cref="NamespaceOptions.BatchMaxSize"/> entries or <see cref="NamespaceOptions.BatchMaxDelayMs"/>.</summary>
    Batched,
    /// <summary>At most one publication per key per <see cref="NamespaceOptions.ConflationIntervalMs"/>; the newest wins.</summary>
    Conflated,
}

/// <summary>Options of one channel namespace (the part of a channel name before the colon). Bound from <c>Herald:Namespaces:{name}</c>.</summary>
public sealed class NamespaceOptions
{
    public const int DefaultHistorySize = 100;
    public const int DefaultHistoryTtlSeconds = 600;
    public const int DefaultMaxStateKeys = 1000;
    public const int DefaultBatchMaxSize = 10;
    public const int DefaultBatchMaxDelayMs = 100;
    public const int DefaultConflationIntervalMs = 1000;

    /// <summary>Who may subscribe. Default <see cref="ChannelScope.Org"/>.</summary>
    public ChannelScope Scope { get; set; } = ChannelScope.Org;

    /// <summary>Whether connected clients may publish into the namespace's channels (subject to the same scope). Default false: publishing is for backends over HTTP.</summary>
    public bool AllowPublish { get; set; }

    /// <summary>Publications kept per channel for recovery and history; 0 turns history off.</summary>
    public int HistorySize { get; set; } = DefaultHistorySize;

    /// <summary>How long a publication stays in history, in seconds.</summary>
    public int HistoryTtlSeconds { get; set; } = DefaultHistoryTtlSeconds;

    /// <summary>Keep the newest publication per <c>key</c> and send it to every new subscriber.</summary>
    public bool KeepLatestState { get; set; }

    /// <summary>Keys of latest state kept per channel.</summary>
    public int MaxStateKeys { get; set; } = DefaultMaxStateKeys;

    /// <summary>Track who is subscribed: the <c>presence</c> request and <c>GET /api/presence</c>.</summary>
    public bool Presence { get; set; }

    /// <summary>Publish <c>presence.join</c> and <c>presence.leave</c> when a user's first connection arrives or last one leaves.</summary>
    public bool JoinLeave { get; set; }

    /// <summary>How publications are delivered.</summary>
    public DeliveryMode Delivery { get; set; } = DeliveryMode.Each;

    /// <summary>Most publications in one <c>batch</c> frame.</summary>
    public int BatchMaxSize { get; set; } = DefaultBatchMaxSize;

    /// <summary>Longest a publication waits for its batch, in milliseconds.</summary>
    public int BatchMaxDelayMs { get; set; } = DefaultBatchMaxDelayMs;

    /// <summary>Conflation interval per key, in milliseconds.</summary>
    public int ConflationIntervalMs { get; set; } = DefaultConflationIntervalMs;

    /// <summary>True when channels of the namespace have a stream (offsets and epochs).</summary>
    public bool HasStream => HistorySize > 0 || KeepLatestState;

    private HistoryOptions? _history;

    /// <summary>What the history store keeps for a channel of this namespace.</summary>
    public HistoryOptions History => _history ??= new HistoryOptions(HistorySize, TimeSpan.FromSeconds(HistoryTtlSeconds), KeepLatestState, MaxStateKeys);
}
