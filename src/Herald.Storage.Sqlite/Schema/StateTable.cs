namespace Herald.Storage.Sqlite.Schema;

/// <summary>
/// The latest state of channels that keep it: the newest publication of every key, stored whole
/// (it outlives the retained window, even when the namespace keeps no history at all). Keys are
/// evicted least recently updated first, that is lowest offset first.
/// </summary>
internal static class StateTable
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS latest_state (
            channel       TEXT    NOT NULL,
            state_key     TEXT    NOT NULL,
            stream_offset INTEGER NOT NULL,
            id            TEXT    NOT NULL,
            type          TEXT    NOT NULL,
            data          BLOB    NOT NULL,
            timestamp     INTEGER NOT NULL,
            tags          TEXT,
            PRIMARY KEY (channel, state_key)
        );
        CREATE INDEX IF NOT EXISTS latest_state_offset ON latest_state (channel, stream_offset);
        """;

    public const string Upsert = """
        INSERT INTO latest_state (channel, state_key, stream_offset, id, type, data, timestamp, tags)
        VALUES ($channel, $key, $offset, $id, $type, $data, $timestamp, $tags)
        ON CONFLICT (channel, state_key) DO UPDATE SET
            stream_offset = excluded.stream_offset,
            id = excluded.id,
            type = excluded.type,
            data = excluded.data,
            timestamp = excluded.timestamp,
            tags = excluded.tags;
        """;

    /// <summary>Keeps the <c>$max</c> most recently updated keys of the channel (none when it is 0).</summary>
    public const string Evict = """
        DELETE FROM latest_state
        WHERE channel = $channel
          AND stream_offset <= (SELECT stream_offset FROM latest_state WHERE channel = $channel
                                ORDER BY stream_offset DESC LIMIT 1 OFFSET $max);
        """;

    /// <summary>Same column order as <see cref="PublicationsTable"/>'s reads.</summary>
    public const string Select = """
        SELECT stream_offset, id, type, data, timestamp, state_key, tags FROM latest_state
        WHERE channel = $channel
        ORDER BY stream_offset;
        """;
}
