namespace Herald.Messages.Requests;

/// <summary>
/// <c>request_history</c>: publications after <paramref name="SinceOffset"/> (checked against
/// <paramref name="SinceEpoch"/> when given), or the newest ones; at most <paramref name="Limit"/>.
/// </summary>
public sealed record HistoryRequest(string? Channel, long? SinceOffset = null, string? SinceEpoch = null, int? Limit = null) : HeraldRequest
{
    public override RequestKind Kind => RequestKind.History;
}
