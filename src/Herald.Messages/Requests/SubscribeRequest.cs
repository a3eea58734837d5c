using Herald.Messages.History;

namespace Herald.Messages.Requests;

/// <summary>
/// <c>subscribe</c>: start receiving a channel, narrowed by tag <paramref name="Filters"/>,
/// recovering what was missed after <paramref name="Since"/>, showing <paramref name="Info"/>
/// (a JSON object, empty when absent) in presence.
/// </summary>
public sealed record SubscribeRequest(
    string? Channel,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Filters = null,
    StreamPosition? Since = null,
    ReadOnlyMemory<byte> Info = default) : HeraldRequest
{
    public override RequestKind Kind => RequestKind.Subscribe;
}
