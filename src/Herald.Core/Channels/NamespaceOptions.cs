namespace Herald.Core.Channels;

/// <summary>Options of one channel namespace (F-CH-2). Bound from <c>Herald:Namespaces:{name}</c>.</summary>
public sealed class NamespaceOptions
{
    /// <summary>Who may subscribe. Default <see cref="ChannelScope.Org"/>.</summary>
    public ChannelScope Scope { get; set; } = ChannelScope.Org;

    /// <summary>Whether connected clients may publish into the namespace's channels (subject to the same scope). Default false: publishing is for backends over HTTP.</summary>
    public bool AllowPublish { get; set; }
}
