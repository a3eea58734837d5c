namespace Herald.Client;

/// <summary>The states of a <see cref="HeraldClient"/>.</summary>
public enum HeraldClientState
{
    /// <summary>Not connected; it will reconnect (after a delay) unless it was closed.</summary>
    Disconnected,

    /// <summary>Opening the socket and authenticating.</summary>
    Connecting,

    /// <summary>Authenticated; subscriptions are live.</summary>
    Connected,

    /// <summary>Stopped for good: disposed, or a terminal disconnect (3500–3999, <c>reconnect:false</c>) or refused credentials.</summary>
    Closed,
}

/// <summary>A state change, with why it happened and the disconnect code when there was one.</summary>
public sealed record HeraldStateChange(HeraldClientState State, string Reason, int? Code = null);

/// <summary>A subscription's (re)subscribe answer: whether what was missed could be recovered.</summary>
public sealed record HeraldSubscriptionEvent(string Channel, bool Recoverable, bool? Recovered, bool Resubscribed);

/// <summary>A refusal of the server over the WebSocket protocol: its error or disconnect code and message.</summary>
public sealed class HeraldClientException(int code, string message) : Exception(message)
{
    /// <summary>The Herald error code (100–399) or disconnect code (3000–4999).</summary>
    public int Code { get; } = code;
}
