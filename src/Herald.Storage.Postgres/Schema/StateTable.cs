namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// The latest state of channels that keep it: the newest publication of every key, stored whole
/// (it outlives the retained window, even when the namespace keeps no history). Written in the
/// publishing transaction; keys are evicted least recently updated first, that is lowest offset
/// first.
/// </summary>
internal static class StateTable
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS herald_state (
            channel       text   NOT NULL,
            state_key     text   NOT NULL,
            stream_offset bigint NOT NULL,
            epoch         text   NOT NULL,
            id            text   NOT NULL,
            type          text   NOT NULL,
            data          bytea  NOT NULL,
            timestamp     bigint NOT NULL,
            tags          text,
            PRIMARY KEY (channel, state_key)
        );
        CREATE INDEX IF NOT EXISTS herald_state_offset ON herald_state (channel, stream_offset);
        """;

    /// <summary>$1 channel, $2 key, $3 offset, $4 epoch, $5 id, $6 type, $7 data, $8 timestamp, $9 tags, $10 max keys.</summary>
    public const string Upsert = """
        INSERT INTO herald_state (channel, state_key, stream_offset, epoch, id, type, data, timestamp, tags)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (channel, state_key) DO UPDATE SET
            stream_offset = excluded.stream_offset,
            epoch = excluded.epoch,
            id = excluded.id,
            type = excluded.type,
            data = excluded.data,
            timestamp = excluded.timestamp,
            tags = excluded.tags;
        """;

    /// <summary>Keeps the $2 most recently updated keys of channel $1 (none when it is 0).</summary>
    public const string Evict = """
        DELETE FROM herald_state
        WHERE channel = $1
          AND stream_offset <= (SELECT stream_offset FROM herald_state WHERE channel = $1
                                ORDER BY stream_offset DESC LIMIT 1 OFFSET $2);
        """;

    /// <summary>The state of channel $1 in the stream's current epoch, ascending by offset; same columns as the history reads.</summary>
    public const string Select = $"""
        SELECT {PublicationsTable.Columns} FROM herald_state p
        JOIN herald_streams st ON st.channel = p.channel AND st.epoch = p.epoch
        WHERE p.channel = $1
        ORDER BY p.stream_offset;
        """;
}
