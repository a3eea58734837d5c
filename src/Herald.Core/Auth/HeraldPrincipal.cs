namespace Herald.Core.Auth;

/// <summary>An authenticated user of a connection: who, which organisation, which explicit grants.</summary>
public sealed class HeraldPrincipal
{
    public HeraldPrincipal(string userId, string orgId, IReadOnlyList<string>? channels = null, DateTimeOffset? expiresAt = null)
    {
        UserId = userId;
        OrgId = orgId;
        Channels = channels ?? [];
        ExpiresAt = expiresAt;
    }

    /// <summary>The <c>sub</c> claim.</summary>
    public string UserId { get; }

    /// <summary>The <c>org</c> claim.</summary>
    public string OrgId { get; }

    /// <summary>The <c>channels</c> claim: explicit grants for <see cref="Channels.ChannelScope.Grant"/> namespaces.</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>The <c>exp</c> claim, when present.</summary>
    public DateTimeOffset? ExpiresAt { get; }
}
