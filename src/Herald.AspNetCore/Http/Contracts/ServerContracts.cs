namespace Herald.AspNetCore.Http.Contracts;

/// <summary><c>GET /health</c>: the process is up.</summary>
internal sealed record HealthResponse(string Status);

/// <summary><c>GET /ready</c>: not shutting down, broker and history store reachable.</summary>
internal sealed record ReadyResponse(string Status, string Broker, string Storage);

/// <summary><c>GET /api/stats</c>: this node's counters.</summary>
internal sealed record StatsResponse(
    string Node, long Connections, long Users, long Channels, long Subscriptions,
    long MessagesIn, long MessagesOut, long Publications, long Dropped, long SlowConsumers, double UptimeSeconds);

/// <summary>A channel with subscribers on this node.</summary>
internal sealed record ChannelInfo(string Channel, int Subscribers);

/// <summary><c>GET /api/channels</c>: in ordinal order.</summary>
internal sealed record ChannelsResponse(IReadOnlyList<ChannelInfo> Channels);

/// <summary><c>POST /api/users/{id}/disconnect</c>: how many of the user's connections were closed.</summary>
internal sealed record DisconnectResponse(string User, int Disconnected);
