using Herald.Core.Channels;

namespace Herald.Core;

/// <summary>One connection's subscription to one channel. The filter may be replaced at any time (<c>update_filter</c>).</summary>
public sealed partial class Subscription(Client client, ChannelName channel, TagFilter? filter, ReadOnlyMemory<byte> presenceInfo = default, PublicationEncoder? encoder = null)
{
    /// <summary>The encoder of this subscription's frames: the client's, unless the subscription came through another (a Socket.IO namespace).</summary>
    public PublicationEncoder Encoder { get; } = encoder ?? client.Encoder;

    /// <summary>What the connection tells others in presence (JSON, such as what it is viewing); empty when nothing.</summary>
    public ReadOnlyMemory<byte> PresenceInfo { get; } = presenceInfo;

    private TagFilter? _filter = filter;

    public Client Client { get; } = client;

    public ChannelName Channel { get; } = channel;

    /// <summary>The current filter, or null for everything.</summary>
    public TagFilter? Filter
    {
        get => Volatile.Read(ref _filter);
        set => Volatile.Write(ref _filter, value);
    }
}
