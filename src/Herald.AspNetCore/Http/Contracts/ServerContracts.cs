namespace Herald.AspNetCore.Http.Contracts;

/// <summary><c>GET /health</c>: the process is up.</summary>
internal sealed record HealthResponse(string Status);

/// <summary><c>GET /ready</c>: not shutting down, broker and history store reachable.</summary>
internal sealed record ReadyResponse(string Status, string Broker, string Storage);

/// <summary><c>GET /api/stats</c>: this node's counters (the top-level fields), every live node's latest report, and their sums.</summary>
internal sealed record StatsResponse(
    string Node, long Connections, long Users, long Channels, long Subscriptions,
    long MessagesIn, long MessagesOut, long Publications, long Dropped, long SlowConsumers, double UptimeSeconds,
    IReadOnlyList<NodeStats> Nodes, ClusterTotals Totals);

/// <summary>One node of the cluster as it reported at its latest heartbeat (this node: as of now).</summary>
internal sealed record NodeStats(
    string Node, string Version, DateTimeOffset StartedAt, DateTimeOffset LastSeen,
    long Connections, long Users, long Channels, long Subscriptions,
    long MessagesIn, long MessagesOut, long Publications, long Dropped, long SlowConsumers);

/// <summary>The sums over <see cref="StatsResponse.Nodes"/>.</summary>
internal sealed record ClusterTotals(
    int Nodes, long Connections, long Users, long Channels, long Subscriptions,
    long MessagesIn, long MessagesOut, long Publications, long Dropped, long SlowConsumers);

/// <summary>A channel with subscribers on this node.</summary>
internal sealed record ChannelInfo(string Channel, int Subscribers);

/// <summary><c>GET /api/channels</c>: in ordinal order.</summary>
internal sealed record ChannelsResponse(IReadOnlyList<ChannelInfo> Channels);

/// <summary>One connection of this node: its id, its user and organisation (null until it authenticates), its transport and its channels.</summary>
internal sealed record ConnectionEntry(string Client, string? User, string? Org, string Transport, IReadOnlyList<string> Channels);

/// <summary><c>GET /api/connections</c>: this node's connections, by user then client id.</summary>
internal sealed record ConnectionsResponse(string Node, IReadOnlyList<ConnectionEntry> Connections);

/// <summary>
/// <c>POST /api/users/{id}/disconnect</c>: how many of the user's connections the answering node
/// closed; the other nodes close theirs when the signal reaches them, uncounted.
/// </summary>
internal sealed record DisconnectResponse(string User, int Disconnected, string Node);
