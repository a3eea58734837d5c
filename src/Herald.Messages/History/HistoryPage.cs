namespace Herald.Messages.History;

/// <summary>
/// A page of history: the stream's current position and publications in ascending offset order.
/// <see cref="HasMore"/> is true when more publications follow the last one returned.
/// </summary>
public sealed record HistoryPage(StreamPosition Position, IReadOnlyList<Publication> Publications, bool HasMore);
