namespace Herald.Core.History;

/// <summary>What a store keeps for one channel: derived from its namespace's options.</summary>
/// <param name="Size">Publications kept; 0 keeps none (the stream position still advances).</param>
/// <param name="Ttl">How long a publication is kept.</param>
/// <param name="KeepState">Whether the newest publication per key is kept (latest state).</param>
/// <param name="MaxStateKeys">Keys kept per channel; the least recently updated go first.</param>
public sealed record HistoryOptions(int Size, TimeSpan Ttl, bool KeepState, int MaxStateKeys);

/// <summary>A read of a channel's history: publications after <see cref="SinceOffset"/>, or the newest when null.</summary>
public readonly record struct HistoryQuery(long? SinceOffset, int Limit);
