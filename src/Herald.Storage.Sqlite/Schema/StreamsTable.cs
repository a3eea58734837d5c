namespace Herald.Storage.Sqlite.Schema;

/// <summary>
/// One row per channel stream: its epoch, the offset of its newest publication (0 before the
/// first) and when it was created or last appended to, in Unix milliseconds. The row outlives its
/// publications so that offsets are never reused; it goes only when idle, empty and stateless.
/// </summary>
internal static class StreamsTable
{
    // Small rows looked up by channel only: WITHOUT ROWID keeps them in the primary key's b-tree.
    public const string Create = """
        CREATE TABLE IF NOT EXISTS streams (
            channel    TEXT    NOT NULL PRIMARY KEY,
            epoch      TEXT    NOT NULL,
            top_offset INTEGER NOT NULL,
            last_used  INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS streams_last_used ON streams (last_used);
        """;

    public const string Select = "SELECT top_offset, epoch FROM streams WHERE channel = $channel;";

    public const string InsertIfMissing = """
        INSERT INTO streams (channel, epoch, top_offset, last_used) VALUES ($channel, $epoch, 0, $now)
        ON CONFLICT (channel) DO NOTHING;
        """;

    /// <summary>Creates the stream at offset 1 or moves it one offset on; answers the new offset and the epoch.</summary>
    public const string Advance = """
        INSERT INTO streams (channel, epoch, top_offset, last_used) VALUES ($channel, $epoch, 1, $now)
        ON CONFLICT (channel) DO UPDATE SET top_offset = top_offset + 1, last_used = excluded.last_used
        RETURNING top_offset, epoch;
        """;

    /// <summary>
    /// Gives every stream a fresh random epoch (one call of the function per row) and keeps its
    /// offset: run when the previous process did not close the file cleanly.
    /// </summary>
    public const string RenewAllEpochs = $"UPDATE streams SET epoch = {SqliteDatabase.NewEpochFunction}();";

    public const string DeleteIdle = """
        DELETE FROM streams
        WHERE last_used < $idle_before
          AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.channel = streams.channel)
          AND NOT EXISTS (SELECT 1 FROM latest_state s WHERE s.channel = streams.channel);
        """;
}
