using Herald.Core.Channels;

namespace Herald.Core.Auth;

/// <summary>Which channels a user, an organisation or an API key may use, in one place for every transport and the HTTP API.</summary>
public static class ChannelAuthorizer
{
    /// <summary>
    /// True when the principal may read (subscribe, history, presence) the channel. A user follows
    /// the namespace's scope. An API key bound to no organisation reads every channel; one bound to an
    /// organisation reads that organisation's channels (<see cref="ChannelScope.Org"/> namespaces whose
    /// first segment is the organisation) and <see cref="ChannelScope.Public"/> ones, never a user's or
    /// a grant's, which name no organisation.
    /// </summary>
    public static bool CanRead(HeraldPrincipal principal, ChannelName channel, NamespaceOptions options)
    {
        if (principal.IsApiKey)
        {
            return principal.ReadsEveryChannel || options.Scope switch
            {
                ChannelScope.Org => channel.FirstSegment.SequenceEqual(principal.OrgId),
                ChannelScope.Public => true,
                _ => false,
            };
        }
        return options.Scope switch
        {
            ChannelScope.Org => channel.FirstSegment.SequenceEqual(principal.OrgId),
            ChannelScope.User => channel.FirstSegment.SequenceEqual(principal.UserId),
            ChannelScope.Public => true,
            ChannelScope.Grant => IsGranted(principal.Channels, channel.Value),
            _ => false,
        };
    }

    /// <summary>True when a grant list names the channel exactly or by a prefix ending in <c>*</c>.</summary>
    public static bool IsGranted(IReadOnlyList<string> grants, string channel)
    {
        foreach (var grant in grants)
        {
            if (grant.EndsWith('*')
                ? channel.StartsWith(grant.AsSpan(0, grant.Length - 1), StringComparison.Ordinal)
                : string.Equals(grant, channel, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
