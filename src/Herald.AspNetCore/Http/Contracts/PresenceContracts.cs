using Herald.Messages.Presence;

namespace Herald.AspNetCore.Http.Contracts;

/// <summary><c>GET /api/presence</c>: who is in a channel, for this node's connections.</summary>
internal sealed record PresenceResponse(string Channel, IReadOnlyList<PresenceUser> Users);

/// <summary>A user in a channel: open connections, the info the newest one gave, and since when.</summary>
internal sealed record PresenceUser(string User, int Connections, RawJson Info, DateTimeOffset Since)
{
    public static PresenceUser From(PresenceEntry e) => new(e.UserId, e.Connections, e.Info, e.Since);
}
