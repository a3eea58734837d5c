namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// The latest state of channels that keep it: the newest publication of every key, stored whole
/// (it outlives the retained window, even when the namespace keeps no history). Written in the
/// publishing statement (<see cref="PublicationsTable.AppendToStreamWithState"/>); keys are evicted least recently updated first, that is lowest offset
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

    /// <summary>The state of channel $1 in the stream's current epoch, ascending by offset; same columns as the history reads.</summary>
    public const string Select = $"""
        SELECT {PublicationsTable.Columns} FROM herald_state p
        JOIN herald_streams st ON st.channel = p.channel AND st.epoch = p.epoch
        WHERE p.channel = $1
        ORDER BY p.stream_offset;
        """;
}
