using System.Text.Json;
using Herald.Messages;

namespace Herald.Protocol;

/// <summary>
/// Encodes a publication as a native frame:
/// <c>{"type":"workspace.status","channel":"org:acme","data":{…},"offset":12,"epoch":"…","timestamp":"…","publicationId":"…","key":…,"tags":{…}}</c>,
/// and a batch as <c>{"type":"batch","channel":…,"publications":[…]}</c> made of the publications' own frames.
/// Stateless: one instance serves every node.
/// </summary>
public sealed class NativePublicationEncoder : PublicationEncoder
{
    public static NativePublicationEncoder Instance { get; } = new();

    private NativePublicationEncoder()
    {
    }

    public override byte[] Encode(Publication publication) => NativeCodec.Write(w => PublicationJson.WriteFields(w, publication));

    public override byte[] EncodeBatch(string channel, ReadOnlySpan<byte[]> frames)
    {
        var prefix = NativeCodec.Write(w =>
        {
            w.WriteString("type"u8, "batch"u8);
            w.WriteString("channel"u8, channel);
        });
        // Splice the cached frames: prefix without its closing brace, then ,"publications":[f1,f2,…]}.
        var length = prefix.Length - 1 + ",\"publications\":[".Length + 2;
        for (var i = 0; i < frames.Length; i++)
        {
            length += frames[i].Length + (i > 0 ? 1 : 0);
        }
        var result = new byte[length];
        var span = result.AsSpan();
        prefix.AsSpan(0, prefix.Length - 1).CopyTo(span);
        var at = prefix.Length - 1;
        at += Copy(",\"publications\":["u8, span[at..]);
        for (var i = 0; i < frames.Length; i++)
        {
            if (i > 0)
            {
                span[at++] = (byte)',';
            }
            at += Copy(frames[i], span[at..]);
        }
        span[at++] = (byte)']';
        span[at] = (byte)'}';
        return result;
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }
}
