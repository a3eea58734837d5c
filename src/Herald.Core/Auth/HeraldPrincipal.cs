namespace Herald.Core.Auth;

/// <summary>
/// Who uses a connection or reads over HTTP: a user (from a token: who, which organisation, which
/// explicit grants) or a service (from an API key: the key's name stands for the user, and its
/// organisation is the one it is bound to, or <see cref="AnyOrg"/>).
/// </summary>
public sealed class HeraldPrincipal
{
    /// <summary>The <see cref="OrgId"/> of an API key bound to no organisation: it reads every channel.</summary>
    public const string AnyOrg = "*";

    public HeraldPrincipal(string userId, string orgId, IReadOnlyList<string>? channels = null, DateTimeOffset? expiresAt = null)
    {
        UserId = userId;
        OrgId = orgId;
        Channels = channels ?? [];
        ExpiresAt = expiresAt;
    }

    /// <summary>A service authenticated with an API key: its name is the user (in presence, limits and forced disconnects).</summary>
    public static HeraldPrincipal ForApiKey(ApiKey key) => new(key.Name, key.Org ?? AnyOrg) { IsApiKey = true };

    /// <summary>The <c>sub</c> claim, or the API key's name.</summary>
    public string UserId { get; }

    /// <summary>The <c>org</c> claim, or the API key's organisation (<see cref="AnyOrg"/> when it is bound to none).</summary>
    public string OrgId { get; }

    /// <summary>The <c>channels</c> claim: explicit grants for <see cref="Channels.ChannelScope.Grant"/> namespaces.</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>The <c>exp</c> claim, when present; never for an API key.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>True for a service authenticated with an API key rather than a user token.</summary>
    public bool IsApiKey { get; private init; }

    /// <summary>True for an API key bound to no organisation: it may read every channel.</summary>
    public bool ReadsEveryChannel => IsApiKey && OrgId == AnyOrg;
}
