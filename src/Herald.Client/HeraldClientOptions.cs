namespace Herald.Client;

/// <summary>How <see cref="HeraldClient"/> connects: the server, one credential, the reconnect backoff.</summary>
public sealed class HeraldClientOptions
{
    /// <summary>The default first reconnect delay bound.</summary>
    public static readonly TimeSpan DefaultMinReconnectDelay = TimeSpan.FromSeconds(1);

    /// <summary>The default largest reconnect delay bound.</summary>
    public static readonly TimeSpan DefaultMaxReconnectDelay = TimeSpan.FromSeconds(16);

    /// <summary>The default capacity of a subscription's publication buffer.</summary>
    public const int DefaultBufferCapacity = 1024;

    /// <summary>The server: <c>http(s)://host:port</c> or <c>ws(s)://host:port</c>; <c>/ws</c> is added.</summary>
    public required Uri Url { get; set; }

    /// <summary>A user token, used as it is (it is not refreshed).</summary>
    public string? Token { get; set; }

    /// <summary>Gives a fresh user token: on every connect, before <c>expires</c> runs out and on <c>token_expired</c>.</summary>
    public Func<CancellationToken, ValueTask<string>>? TokenProvider { get; set; }

    /// <summary>A service's API key (scope <c>subscribe</c>) instead of a token.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The bound of the first reconnect delay; each failure doubles it up to <see cref="MaxReconnectDelay"/>, and the delay is drawn uniformly below the bound (full jitter).</summary>
    public TimeSpan MinReconnectDelay { get; set; } = DefaultMinReconnectDelay;

    /// <summary>The largest reconnect delay bound.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = DefaultMaxReconnectDelay;

    /// <summary>How many publications a subscription buffers for a slow reader before the oldest are dropped.</summary>
    public int BufferCapacity { get; set; } = DefaultBufferCapacity;
}
