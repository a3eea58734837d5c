namespace Herald.Messages.Requests;

/// <summary>
/// <c>publish</c>, and the body of <c>POST /api/publish</c>: an event of <paramref name="Type"/>
/// with <paramref name="Data"/> (UTF-8 JSON) into a channel, with optional tags and key.
/// </summary>
public sealed record PublishRequest(
    string? Channel,
    string? Type,
    ReadOnlyMemory<byte> Data,
    IReadOnlyDictionary<string, string>? Tags = null,
    string? Key = null) : HeraldRequest
{
    public override RequestKind Kind => RequestKind.Publish;
}
