using Herald.Core;
using Herald.Messages.Requests;
using Herald.Protocol.SocketIO;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>One client's presence in one Socket.IO namespace: emits and acks go through the session's outbox.</summary>
internal sealed class SocketIOSocket
{
    internal SocketIOSocket(EngineIOSession session, string @namespace, string id, SocketIOPublicationEncoder encoder)
    {
        Session = session;
        Namespace = @namespace;
        Id = id;
        Target = new DeliveryTarget(encoder, @namespace);
    }

    public EngineIOSession Session { get; }

    /// <summary>The namespace, such as <c>/</c> or <c>/custom</c>.</summary>
    public string Namespace { get; }

    /// <summary>The socket id sent in the CONNECT answer.</summary>
    public string Id { get; }

    /// <summary>The Herald connection of the session.</summary>
    public Client Client => Session.Client;

    /// <summary>Where publications of subscriptions made in this namespace go: its encoder, scoped to the namespace.</summary>
    public DeliveryTarget Target { get; }

    /// <summary>Emits an event; <paramref name="arguments"/> is a raw JSON array.</summary>
    public bool Emit(string name, ReadOnlySpan<byte> arguments) => Send(SocketIOCodec.EncodeEvent(Namespace, name, arguments));

    /// <summary>Emits an event with binary attachments (header, then one binary frame per attachment).</summary>
    public bool Emit(string name, ReadOnlySpan<byte> arguments, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        foreach (var frame in SocketIOCodec.EncodeBinaryEvent(Namespace, name, arguments, attachments))
        {
            if (!Send(frame))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Answers an ack; <paramref name="arguments"/> is a raw JSON array.</summary>
    public bool Ack(int ackId, ReadOnlySpan<byte> arguments) => Send(SocketIOCodec.EncodeAck(Namespace, ackId, arguments));

    /// <summary>Answers an ack with binary attachments (header, then one binary frame per attachment).</summary>
    public bool Ack(int ackId, ReadOnlySpan<byte> arguments, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        foreach (var frame in SocketIOCodec.EncodeBinaryAck(Namespace, ackId, arguments, attachments))
        {
            if (!Send(frame))
            {
                return false;
            }
        }
        return true;
    }

    private bool Send(EngineIOFrame frame) => Client.Send(new OutboundFrame(frame.Bytes, frame.IsBinary));
}
