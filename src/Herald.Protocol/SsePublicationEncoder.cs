using System.Text;
using Herald.Messages;

namespace Herald.Protocol;

/// <summary>
/// Encodes a publication as a Server-Sent Event without its id: <c>event: {type}\ndata: {native
/// publication frame}\n\n</c>. The transport writes each event's <c>id:</c> line (every channel's
/// position, per connection) before these shared bytes; SSE lines may come in any order within
/// an event. Publications are framed one by one, so batched channels reach SSE clients as
/// single events. Stateless: one instance serves every node.
/// </summary>
public sealed class SsePublicationEncoder : PublicationEncoder
{
    public static SsePublicationEncoder Instance { get; } = new();

    private SsePublicationEncoder()
    {
    }

    public override bool SupportsBatches => false;

    public override byte[] Encode(Publication publication) => Event(publication.Type, NativePublicationEncoder.Instance.Encode(publication));

    /// <summary>Not used: <see cref="SupportsBatches"/> is false.</summary>
    public override byte[] EncodeBatch(string channel, ReadOnlySpan<byte[]> frames) =>
        throw new NotSupportedException("Server-Sent Events frame publications one by one.");

    /// <summary><c>event: {name}\ndata: {data}\n\n</c>; <paramref name="data"/> must be one line (JSON frames are).</summary>
    public static byte[] Event(string name, ReadOnlySpan<byte> data)
    {
        var nameLength = Encoding.UTF8.GetByteCount(name);
        var result = new byte[7 + nameLength + 7 + data.Length + 2];
        var span = result.AsSpan();
        "event: "u8.CopyTo(span);
        var at = 7 + Encoding.UTF8.GetBytes(name, span[7..]);
        "\ndata: "u8.CopyTo(span[at..]);
        at += 7;
        data.CopyTo(span[at..]);
        at += data.Length;
        "\n\n"u8.CopyTo(span[at..]);
        return result;
    }
}
