using Herald.Core.Auth;
using Herald.Core.Channels;

namespace Herald.Core;

/// <summary>
/// All of Herald's settings, bound from the <c>Herald</c> configuration section and validated at start.
/// Storage settings (<c>Herald:Storage</c>) are not here: each storage package binds and validates its own.
/// </summary>
public sealed class HeraldOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Herald";

    /// <summary>
    /// This node's name in the cluster, in stats and in presence entries: 1–64 characters of
    /// A-Z, a-z, 0-9, '.', '_' and '-', unique among the nodes sharing a database. Default (null):
    /// the machine name and four random hex digits, chosen once per start.
    /// </summary>
    public string? NodeName { get; set; }

    /// <summary>
    /// Origins allowed to open browser connections and to call the HTTP API cross-site, such as
    /// <c>https://app.example.com</c>. <c>*</c> allows any. Empty (the default) allows only
    /// same-origin browser requests. Requests without an <c>Origin</c> header (non-browser clients) are always allowed.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    public AuthOptions Auth { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    public HeartbeatOptions Heartbeat { get; set; } = new();

    public Operations.OperationsOptions Operations { get; set; } = new();

    public Notifications.NotificationsOptions Notifications { get; set; } = new();

    public SocketIOOptions SocketIO { get; set; } = new();

    public Cluster.ClusterOptions Cluster { get; set; } = new();

    /// <summary>Channel namespaces by name. Defaults to the shipped namespaces; entries here add to or change them.</summary>
    public Dictionary<string, NamespaceOptions> Namespaces { get; set; } = NamespaceRegistry.CreateDefaults();

    /// <summary>How long a graceful shutdown may take before remaining connections are cut, in seconds. Default 10.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = DefaultShutdownTimeoutSeconds;

    public const int DefaultShutdownTimeoutSeconds = 10;

    /// <summary>
    /// On shutdown, every client is told to wait a random delay within this window before it
    /// reconnects (the <c>reconnectDelay</c> of the disconnect frame), so that reconnects spread out
    /// instead of arriving as one storm. 0 sends no delay.
    /// </summary>
    public double ShutdownReconnectWindowSeconds { get; set; } = DefaultShutdownReconnectWindowSeconds;

    public const double DefaultShutdownReconnectWindowSeconds = 5;
}

/// <summary>Limits per connection and per message, bound from <c>Herald:Limits</c>.</summary>
public sealed class LimitsOptions
{
    public const int DefaultMaxFrameBytes = 65536;
    public const int DefaultMaxSubscriptionsPerConnection = 256;
    public const int DefaultMaxChannelNameLength = 255;
    public const int DefaultMaxConnectionsPerUser = 64;
    public const int DefaultMaxMessagesPerSecond = 50;
    public const int DefaultMessageBurst = 100;
    public const int DefaultHandshakeTimeoutSeconds = 10;
    public const int DefaultMaxSendQueueBytes = 1024 * 1024;
    public const int DefaultMaxSendQueueMessages = 4096;
    public const int DefaultWriteTimeoutSeconds = 15;
    public const int DefaultMaxPublishBytes = 65536;
    public const int DefaultIdempotencyWindowSeconds = 120;
    public const int DefaultMaxIdempotencyKeys = 100_000;

    /// <summary>Largest inbound frame (and largest <c>data</c> a client may publish), in bytes.</summary>
    public int MaxFrameBytes { get; set; } = DefaultMaxFrameBytes;

    public int MaxSubscriptionsPerConnection { get; set; } = DefaultMaxSubscriptionsPerConnection;

    public int MaxChannelNameLength { get; set; } = DefaultMaxChannelNameLength;

    public int MaxConnectionsPerUser { get; set; } = DefaultMaxConnectionsPerUser;

    /// <summary>Sustained inbound messages per second per connection; above it (after the burst) the connection is closed with 3011.</summary>
    public int MaxMessagesPerSecond { get; set; } = DefaultMaxMessagesPerSecond;

    /// <summary>Inbound messages a connection may send at once before the per-second rate applies.</summary>
    public int MessageBurst { get; set; } = DefaultMessageBurst;

    /// <summary>Time a connection without a token has to send <c>connect</c>.</summary>
    public int HandshakeTimeoutSeconds { get; set; } = DefaultHandshakeTimeoutSeconds;

    /// <summary>Bytes queued for one connection before it counts as a slow consumer and is closed with 3008.</summary>
    public int MaxSendQueueBytes { get; set; } = DefaultMaxSendQueueBytes;

    /// <summary>Frames queued for one connection before it counts as a slow consumer.</summary>
    public int MaxSendQueueMessages { get; set; } = DefaultMaxSendQueueMessages;

    /// <summary>How long one write to a connection may block before the connection is cut.</summary>
    public int WriteTimeoutSeconds { get; set; } = DefaultWriteTimeoutSeconds;

    /// <summary>
    /// Write the frames queued for one connection together, in one socket write (default true: far
    /// fewer syscalls under load). Off only for test harnesses that expect each frame in its own
    /// TCP segment, such as the Socket.IO protocol suite's one-shot message listeners.
    /// </summary>
    public bool CoalesceWrites { get; set; } = true;

    /// <summary>Largest HTTP API request body, in bytes; larger bodies get 413.</summary>
    public int MaxPublishBytes { get; set; } = DefaultMaxPublishBytes;

    /// <summary>How long a publish's idempotency key is remembered: a resend with the same key to the same channel within it answers the first publication.</summary>
    public int IdempotencyWindowSeconds { get; set; } = DefaultIdempotencyWindowSeconds;

    /// <summary>Most idempotency keys remembered at once; beyond it the oldest is forgotten early.</summary>
    public int MaxIdempotencyKeys { get; set; } = DefaultMaxIdempotencyKeys;
}

/// <summary>Heartbeats (server pings, answered by pongs), bound from <c>Herald:Heartbeat</c>.</summary>
public sealed class HeartbeatOptions
{
    public const int DefaultIntervalSeconds = 25;
    public const int DefaultTimeoutSeconds = 10;

    /// <summary>How often the server sends <c>{"type":"ping"}</c>.</summary>
    public double IntervalSeconds { get; set; } = DefaultIntervalSeconds;

    /// <summary>How long after a ping the client has to answer (or send anything) before it is closed with 3012.</summary>
    public double TimeoutSeconds { get; set; } = DefaultTimeoutSeconds;
}

/// <summary>Socket.IO settings, bound from <c>Herald:SocketIO</c>. Ping interval and timeout come from <c>Herald:Heartbeat</c>.</summary>
public sealed class SocketIOOptions
{
    public const int DefaultMaxPayload = 1_000_000;
    public const int DefaultMaxAttachments = 10;

    /// <summary>The Socket.IO namespaces clients may connect to; others get CONNECT_ERROR. Default: the main namespace <c>/</c>.</summary>
    public List<string> Namespaces { get; set; } = ["/"];

    /// <summary>Largest Engine.IO message or polling body, in bytes (the handshake's <c>maxPayload</c>).</summary>
    public int MaxPayload { get; set; } = DefaultMaxPayload;

    /// <summary>Most binary attachments one packet may announce.</summary>
    public int MaxAttachments { get; set; } = DefaultMaxAttachments;
}
