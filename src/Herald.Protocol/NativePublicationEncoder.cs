using Herald.Core;

namespace Herald.Protocol;

/// <summary>
/// Encodes a publication as a native frame:
/// <c>{"type":"workspace.status","channel":"org:acme","data":{…},"timestamp":"…","publicationId":"…","key":…,"tags":{…}}</c>.
/// One instance per process, so that every native connection shares one cache slot.
/// </summary>
public sealed class NativePublicationEncoder : PublicationEncoder
{
    public static NativePublicationEncoder Instance { get; } = new();

    private NativePublicationEncoder()
    {
    }

    public override byte[] Encode(Publication publication) =>
        NativeCodec.Write(w =>
        {
            w.WriteString("type"u8, publication.Type);
            w.WriteString("channel"u8, publication.Channel);
            w.WritePropertyName("data"u8);
            w.WriteRawValue(publication.Data.Span, skipInputValidation: true);
            w.WriteString("timestamp"u8, DateTimeOffset.FromUnixTimeMilliseconds(publication.Timestamp).UtcDateTime);
            w.WriteString("publicationId"u8, publication.Id);
            if (publication.Key is not null)
            {
                w.WriteString("key"u8, publication.Key);
            }
            if (publication.Tags is { Count: > 0 } tags)
            {
                w.WriteStartObject("tags"u8);
                foreach (var (name, value) in tags)
                {
                    w.WriteString(name, value);
                }
                w.WriteEndObject();
            }
        });
}
