namespace Herald.Core.Channels;

/// <summary>Who may subscribe to the channels of a namespace.</summary>
public enum ChannelScope
{
    /// <summary>The first segment is an organisation id; only members of that organisation.</summary>
    Org,
    /// <summary>The first segment is a user id; only that user.</summary>
    User,
    /// <summary>Any authenticated user.</summary>
    Public,
    /// <summary>Only channels listed in the token's <c>channels</c> claim (a trailing <c>*</c> matches a prefix).</summary>
    Grant,
}
