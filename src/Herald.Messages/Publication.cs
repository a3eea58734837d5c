namespace Herald.Messages;

/// <summary>
/// One event published into a channel. Immutable once published: the same instance is
/// shared by every subscriber and every node-local transport, so it must never be mutated.
/// </summary>
public sealed class Publication
{
    /// <summary>Unique id, for de-duplication by clients.</summary>
    public required string Id { get; init; }

    /// <summary>The channel it was published into.</summary>
    public required string Channel { get; init; }

    /// <summary>The event type, such as <c>workspace.status</c> or <c>task.progress</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The payload as UTF-8 JSON, validated when it was received and embedded verbatim in frames.</summary>
    public required ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>When the server accepted it, in Unix milliseconds.</summary>
    public required long Timestamp { get; init; }

    /// <summary>Optional key for latest state and conflation.</summary>
    public string? Key { get; init; }

    /// <summary>Optional tags, matched by subscription filters.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Position in the channel's stream: strictly increasing per channel, 0 when the channel keeps no history.</summary>
    public long Offset { get; init; }

    /// <summary>The channel stream's epoch; changes whenever the channel's history is lost. Null when the channel keeps no history.</summary>
    public string? Epoch { get; init; }

    /// <summary>A copy placed at a stream position.</summary>
    public Publication At(long offset, string epoch) => new()
    {
        Id = Id,
        Channel = Channel,
        Type = Type,
        Data = Data,
        Timestamp = Timestamp,
        Key = Key,
        Tags = Tags,
        Offset = offset,
        Epoch = epoch,
    };

    /// <summary>Creates a fresh publication id: sortable by time, unique per process and across nodes with high probability.</summary>
    public static string NewId() => Guid.CreateVersion7().ToString("N");
}
