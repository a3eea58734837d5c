namespace Herald.Messages;

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
