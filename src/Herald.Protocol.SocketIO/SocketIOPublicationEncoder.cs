using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Herald.Messages;
using Herald.Protocol.SocketIO.Internal;

namespace Herald.Protocol.SocketIO;

/// <summary>
/// Encodes publications as Socket.IO events of one namespace, each a complete Engine.IO text
/// frame (send it as a WebSocket text frame, or join it into a polling payload unchanged):
/// <c>42["workspace.status",{"type":"workspace.status","channel":…,"data":{…},"offset":12,"epoch":"…","timestamp":"2024-01-15T10:30:00.123Z","publicationId":"…","key":…,"tags":{…}}]</c>
/// (<c>42/ns,[…]</c> outside the default namespace). The event is named by the publication's type;
/// <c>data</c> is the publication's JSON embedded verbatim; <c>offset</c> and <c>epoch</c> appear for
/// channels with history, <c>key</c> and <c>tags</c> when set. A batch is one
/// <c>42["batch",{"channel":…,"publications":[…]}]</c> frame made of the same argument objects.
/// </summary>
/// <remarks>
/// <para>The argument object repeats the type so that the items of a batch remain self-describing.</para>
/// <para>One instance per namespace and node (the Socket.IO transport keeps them): every
/// connection of a namespace shares it, so a publication is encoded once per namespace however
/// many subscribers receive it. Thread-safe.</para>
/// </remarks>
public sealed class SocketIOPublicationEncoder : PublicationEncoder
{
    /// <summary><c>42</c> or <c>42/ns,</c>: what precedes the JSON array in every frame.</summary>
    private readonly byte[] _prefix;

    /// <summary>The encoder of a namespace's events.</summary>
    /// <param name="namespace">The Socket.IO namespace, starting with <c>/</c>, without <c>,</c>.</param>
    /// <exception cref="ArgumentException">The namespace is malformed.</exception>
    public SocketIOPublicationEncoder(string @namespace)
    {
        SocketIOCodec.ValidateNamespace(@namespace);
        Namespace = @namespace;
        _prefix = @namespace == SocketIOPacket.DefaultNamespace
            ? "42"u8.ToArray()
            : [.. "42"u8, .. Encoding.UTF8.GetBytes(@namespace), (byte)','];
    }

    /// <summary>The namespace whose events this encoder writes.</summary>
    public string Namespace { get; }

    /// <inheritdoc />
    public override byte[] Encode(Publication publication)
    {
        ArgumentNullException.ThrowIfNull(publication);
        var frame = new FrameBuilder();
        frame.Raw(_prefix);
        var w = frame.Json();
        w.WriteStartArray();
        w.WriteStringValue(publication.Type);
        w.WriteStartObject();
        PublicationJson.WriteFields(w, publication);
        w.WriteEndObject();
        w.WriteEndArray();
        return frame.ToArray();
    }

    /// <inheritdoc />
    /// <remarks>Splices the argument objects out of the publications' cached frames: nothing is re-encoded.</remarks>
    public override byte[] EncodeBatch(string channel, ReadOnlySpan<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var frame = new FrameBuilder();
        frame.Raw(_prefix);
        var w = frame.Json();
        w.WriteStartArray();
        w.WriteStringValue("batch"u8);
        w.WriteStartObject();
        w.WriteString("channel"u8, channel);
        w.WritePropertyName("publications"u8);
        w.WriteStartArray();
        for (var i = 0; i < frames.Length; i++)
        {
            if (i > 0)
            {
                frame.Raw(","u8);
            }
            frame.Raw(ArgumentObject(frames[i]));
        }
        frame.Raw("]}]"u8);
        return frame.ToArray();
    }

    /// <summary>The <c>{…}</c> of a frame <c>prefix["type",{…}]</c> written by <see cref="Encode"/>.</summary>
    private ReadOnlySpan<byte> ArgumentObject(byte[] frame)
    {
        var array = frame.AsSpan(_prefix.Length);
        var reader = new Utf8JsonReader(array);
        reader.Read();
        reader.Read();
        // The writer puts the comma right after the type string and the object right after the comma.
        var start = (int)reader.BytesConsumed + 1;
        Debug.Assert(array[start] == '{' && array[^1] == ']' && array[^2] == '}');
        return array[start..^1];
    }
}
