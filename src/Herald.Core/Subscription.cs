using Herald.Core.Channels;
using Herald.Core.Internal;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Core;

/// <summary>One connection's subscription to one channel. The filter may be replaced at any time (<c>update_filter</c>).</summary>
internal sealed partial class Subscription(Client client, ChannelName channel, TagFilter? filter, ReadOnlyMemory<byte> presenceInfo, DeliveryTarget target, int encoderSlot)
{
    private TagFilter? _filter = filter;

    /// <summary>Where this subscription's frames go: the encoder, and the scope (Socket.IO namespace) that made it.</summary>
    public DeliveryTarget Target { get; } = target;

    /// <summary>The encoder of this subscription's frames.</summary>
    public PublicationEncoder Encoder => Target.Encoder;

    /// <summary>The encoder's slot in the node's <see cref="EncoderRegistry"/>.</summary>
    public int EncoderSlot { get; } = encoderSlot;

    /// <summary>What the connection tells others in presence (JSON, such as what it is viewing); empty when nothing.</summary>
    public ReadOnlyMemory<byte> PresenceInfo { get; } = presenceInfo;

    public Client Client { get; } = client;

    /// <summary>
    /// The latest presence step of this subscription (join, rejoin, leave), which the next one
    /// waits for, so that a leave never overtakes its join at the store; null until it joins.
    /// Guarded by the instance lock, like <see cref="PresenceLeft"/>.
    /// </summary>
    internal Task? PresenceTail;

    /// <summary>True once the subscription left presence: it never joins again.</summary>
    internal bool PresenceLeft;

    public ChannelName Channel { get; } = channel;

    /// <summary>The current filter, or null for everything.</summary>
    public TagFilter? Filter
    {
        get => Volatile.Read(ref _filter);
        set => Volatile.Write(ref _filter, value);
    }
}
