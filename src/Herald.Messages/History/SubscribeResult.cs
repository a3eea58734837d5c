namespace Herald.Messages.History;

/// <summary>
/// What a successful subscribe answers with. For channels with a stream: the position, whether
/// the client's <c>since</c> position was recovered, the publications it missed, and the latest
/// state per key. All lists are in ascending offset order and already filtered.
/// </summary>
public sealed record SubscribeResult(
    string Channel,
    StreamPosition? Position,
    bool Recoverable,
    bool? Recovered,
    IReadOnlyList<Publication> Publications,
    IReadOnlyList<Publication> State)
{
    public static SubscribeResult Plain(string channel) => new(channel, null, false, null, [], []);
}
