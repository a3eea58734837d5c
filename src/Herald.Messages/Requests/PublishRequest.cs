namespace Herald.Messages.Requests;

/// <summary>
/// <c>publish</c>, and the body of <c>POST /api/publish</c>: an event of <paramref name="Type"/>
/// with <paramref name="Data"/> (UTF-8 JSON) into a channel, with optional tags and key.
/// <paramref name="IdempotencyKey"/>, when given, makes a resend of the same publish to the same
/// channel within the server's idempotency window answer the first publication instead of
/// publishing again.
/// </summary>
public sealed record PublishRequest(
    string? Channel,
    string? Type,
    ReadOnlyMemory<byte> Data,
    IReadOnlyDictionary<string, string>? Tags = null,
    string? Key = null,
    string? IdempotencyKey = null) : HeraldRequest
{
    public override RequestKind Kind => RequestKind.Publish;
}
