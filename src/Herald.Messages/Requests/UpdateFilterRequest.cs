namespace Herald.Messages.Requests;

/// <summary><c>update_filter</c>: replace a subscription's tag filter; null or empty clears it.</summary>
public sealed record UpdateFilterRequest(string? Channel, IReadOnlyDictionary<string, IReadOnlyList<string>>? Filters) : HeraldRequest
{
    public override RequestKind Kind => RequestKind.UpdateFilter;
}
