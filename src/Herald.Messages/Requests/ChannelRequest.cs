namespace Herald.Messages.Requests;

/// <summary>A request that names only a channel: <c>unsubscribe</c> or <c>presence</c>.</summary>
public sealed record ChannelRequest : HeraldRequest
{
    private ChannelRequest(RequestKind kind, string? channel)
    {
        Kind = kind;
        Channel = channel;
    }

    /// <summary><c>unsubscribe</c>: stop receiving the channel.</summary>
    public static ChannelRequest Unsubscribe(string? channel) => new(RequestKind.Unsubscribe, channel);

    /// <summary><c>presence</c>: who is in the channel.</summary>
    public static ChannelRequest Presence(string? channel) => new(RequestKind.Presence, channel);

    public override RequestKind Kind { get; }

    public string? Channel { get; }
}
