namespace Herald.Messages;

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
    /// <summary>The server ended a subscription because the connection's refreshed token no longer allows it.</summary>
    SubscriptionRevoked = 117,
    /// <summary>The store cannot take writes now (a full disk, a read-only file, the database unreachable): nothing was stored; try again later.</summary>
    StorageUnavailable = 118,
}
