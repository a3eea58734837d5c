using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Core.History;

/// <summary>
/// Keeps channel streams: per-channel offsets and epochs, a bounded window of recent publications,
/// and the latest publication per key. A broker keeps its streams in one (the node reaches them only
/// through <see cref="Brokers.IBroker"/>). Implementations: <see cref="MemoryHistoryStore"/> (lost on
/// restart, so every epoch changes) and SQLite (the standalone default; survives a restart with the
/// same epochs and offsets); a PostgreSQL store for scale-out is to implement the same contract.
/// </summary>
/// <remarks>
/// The contract, checked by the compliance suite in tests/Herald.Specification.Tests:
/// <list type="bullet">
/// <item>Offsets of one channel are strictly increasing and never reused, even after trimming.</item>
/// <item>A channel's epoch is fixed from its first use until its history is lost (the store is
/// emptied, or the stream was idle longer than the store keeps stream metadata).</item>
/// <item>Reading a position of a channel never used creates its stream, so the epoch a subscriber
/// sees before the first publication is the epoch that publication gets.</item>
/// <item>Reads never return publications older than their TTL or beyond the size bound.</item>
/// <item>Appends to one channel must not run concurrently: the broker that owns the store
/// serializes them per channel, so that assigning the offset and delivering the publication are
/// one step (see <see cref="Brokers.IBroker"/>). Reads may run at any time, concurrently with
/// appends, and see every append that completed before they began.</item>
/// </list>
/// </remarks>
public interface IHistoryStore : IAsyncDisposable
{
    /// <summary>Creates or migrates storage. Called once at start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Appends a publication, returning it placed at the channel's next offset and current epoch.</summary>
    ValueTask<Publication> AppendAsync(Publication publication, HistoryOptions options, CancellationToken cancellationToken);

    /// <summary>The channel's current position, creating its stream when it has none.</summary>
    ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken);

    /// <summary>Reads publications (ascending by offset) within the channel's retained window.</summary>
    ValueTask<HistoryPage> ReadAsync(string channel, HistoryQuery query, CancellationToken cancellationToken);

    /// <summary>The newest publication of every key of the channel, in ascending offset order.</summary>
    ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken);

    /// <summary>Removes publications past their TTL and streams idle longer than <paramref name="streamIdleTtl"/>. Returns how many rows went.</summary>
    ValueTask<int> RemoveExpiredAsync(DateTimeOffset now, TimeSpan streamIdleTtl, CancellationToken cancellationToken);

    /// <summary>True when the store answers (for <c>/ready</c>).</summary>
    ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken);
}
