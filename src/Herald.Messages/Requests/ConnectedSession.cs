namespace Herald.Messages.Requests;

/// <summary>
/// What an authenticated connection is told: its id, its user and organisation, the heartbeat's
/// timing in seconds, and in how many seconds its token expires (null for a token without expiry).
/// </summary>
public sealed record ConnectedSession(string ClientId, string UserId, string OrgId, double PingInterval, double PongTimeout, long? ExpiresIn);
