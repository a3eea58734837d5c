namespace Herald.Messages;

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
