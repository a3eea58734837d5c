namespace Herald.Core;

/// <summary>
/// Codes of the <c>error</c> answers a request can get. One table for every transport, documented
/// in docs/protocol.md. Range 100–399 is Herald's; 400–499 is free for embedding applications.
/// An error answer never closes the connection by itself: only the request was bad.
/// </summary>
public enum HeraldErrorCode
{
    /// <summary>Something failed inside the server; the request may be retried.</summary>
    Internal = 100,
    /// <summary>The connection is not authenticated yet, or the token was refused.</summary>
    Unauthorized = 101,
    /// <summary>The channel's namespace is not configured on this server.</summary>
    UnknownNamespace = 102,
    /// <summary>The user may not do this on this channel (another organisation, another user, no grant).</summary>
    PermissionDenied = 103,
    /// <summary>The message <c>type</c> is not one the server knows.</summary>
    UnknownMessageType = 104,
    /// <summary>The connection is already subscribed to the channel.</summary>
    AlreadySubscribed = 105,
    /// <summary>A per-connection limit was reached (for example subscriptions per connection).</summary>
    LimitExceeded = 106,
    /// <summary>The frame is not valid JSON, a field has the wrong type, or a required field is missing.</summary>
    BadRequest = 107,
    /// <summary>The operation is not available on this channel (for example client publish is off).</summary>
    NotAvailable = 108,
    /// <summary>The token has expired.</summary>
    TokenExpired = 109,
    /// <summary>Binary frames are not part of the native protocol.</summary>
    BinaryNotSupported = 110,
    /// <summary>The requested stream position cannot be served: the epoch changed or history no longer holds it. Refetch the state.</summary>
    UnrecoverablePosition = 112,
    /// <summary>The connection is not subscribed to the channel.</summary>
    NotSubscribed = 113,
    /// <summary>The channel name is malformed or too long.</summary>
    InvalidChannel = 114,
    /// <summary>The frame is larger than the configured maximum; it was discarded.</summary>
    MessageTooLarge = 115,
    /// <summary>The connection already sent a valid <c>connect</c>.</summary>
    AlreadyConnected = 116,
}

/// <summary>
/// Codes a server-initiated disconnect carries, as the WebSocket close status and in the
/// <c>disconnect</c> frame. Ranges follow Centrifugo: 3000–3499 mean "reconnect" (with backoff),
/// 3500–3999 mean "do not reconnect with the same credentials", 4000–4999 are for applications.
/// </summary>
public enum DisconnectCode
{
    /// <summary>The server is shutting down or restarting; reconnect, possibly to another node.</summary>
    Shutdown = 3001,
    /// <summary>An internal error ended the connection; reconnect.</summary>
    InternalError = 3002,
    /// <summary>The token had expired; reconnect with a fresh token.</summary>
    TokenExpired = 3005,
    /// <summary>The client did not read fast enough and its bounded send queue overflowed; reconnect and recover.</summary>
    SlowConsumer = 3008,
    /// <summary>The client sent more messages per second than allowed; reconnect after a backoff.</summary>
    TooManyRequests = 3011,
    /// <summary>The client did not answer the server's ping in time; reconnect.</summary>
    NoPong = 3012,
    /// <summary>The node lost its broker connection for a while, so subscriptions may have missed publications; reconnect and recover.</summary>
    BrokerInterrupted = 3013,
    /// <summary>The token is invalid (bad signature, algorithm, claims); do not reconnect with it.</summary>
    InvalidToken = 3500,
    /// <summary>No valid <c>connect</c> arrived within the handshake timeout.</summary>
    HandshakeTimeout = 3502,
    /// <summary>The user has too many open connections.</summary>
    ConnectionLimit = 3503,
    /// <summary>An administrator disconnected the user through the API.</summary>
    ForceDisconnect = 3504,
}

/// <summary>Descriptions of the codes, shared by every transport.</summary>
public static class HeraldCodes
{
    /// <summary>True when a client should reconnect after this disconnect.</summary>
    public static bool ShouldReconnect(DisconnectCode code) => (int)code is >= 3000 and < 3500;

    /// <summary>The short reason sent with a disconnect code.</summary>
    public static string Reason(DisconnectCode code) => code switch
    {
        DisconnectCode.Shutdown => "shutdown",
        DisconnectCode.InternalError => "internal server error",
        DisconnectCode.TokenExpired => "token expired",
        DisconnectCode.SlowConsumer => "slow consumer",
        DisconnectCode.TooManyRequests => "too many requests",
        DisconnectCode.NoPong => "no pong",
        DisconnectCode.BrokerInterrupted => "subscriptions interrupted: reconnect and recover",
        DisconnectCode.InvalidToken => "invalid token",
        DisconnectCode.HandshakeTimeout => "handshake timeout",
        DisconnectCode.ConnectionLimit => "connection limit",
        DisconnectCode.ForceDisconnect => "force disconnect",
        _ => "disconnect",
    };
}
