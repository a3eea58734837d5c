namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// One row per channel stream: its epoch, the offset of its newest publication (0 before the
/// first), the history size of its latest append (reads return at most that many) and when it was
/// created or last appended to, in Unix milliseconds. Offsets are assigned by moving
/// <c>top_offset</c> in the publishing transaction; the row outlives its publications so that
/// offsets are never reused, and goes only when idle, empty and stateless.
/// </summary>
internal static class StreamsTable
{
    // fillfactor leaves room on each page so that the offset update of every publish can be a HOT
    // update (no index change, no index bloat). That is also why last_used has no index: every
    // append changes it, and maintenance, which filters on it once a minute, scans the table.
    public const string Create = """
        CREATE TABLE IF NOT EXISTS herald_streams (
            channel      text    NOT NULL PRIMARY KEY,
            epoch        text    NOT NULL,
            top_offset   bigint  NOT NULL,
            history_size integer NOT NULL,
            last_used    bigint  NOT NULL
        ) WITH (fillfactor = 70);
        """;

    /// <summary>Creates the stream when missing and answers its position: (top_offset, epoch). No row answered means a concurrent creation won; read again.</summary>
    public const string Ensure = """
        WITH created AS (
            INSERT INTO herald_streams (channel, epoch, top_offset, history_size, last_used)
            VALUES ($1, $2, 0, 0, $3)
            ON CONFLICT (channel) DO NOTHING
            RETURNING top_offset, epoch)
        SELECT top_offset, epoch FROM created
        UNION ALL
        SELECT top_offset, epoch FROM herald_streams WHERE channel = $1
        LIMIT 1;
        """;

    public const string Select = "SELECT top_offset, epoch FROM herald_streams WHERE channel = $1;";

    public const string DeleteIdle = """
        DELETE FROM herald_streams s
        WHERE s.last_used < $1
          AND NOT EXISTS (SELECT 1 FROM herald_publications p WHERE p.channel = s.channel AND p.expires_at IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM herald_state t WHERE t.channel = s.channel);
        """;
}
