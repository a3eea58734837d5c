namespace Herald.Storage.Sqlite.Schema;

/// <summary>
/// The retained window of each channel: at most its namespace's size, newest last. <c>data</c> is
/// the payload's UTF-8 JSON bytes as published; <c>tags</c> a JSON object of strings or NULL;
/// <c>expires_at</c> Unix milliseconds.
/// </summary>
internal static class PublicationsTable
{
    // A rowid table rather than WITHOUT ROWID: payloads can be kilobytes, and SQLite advises
    // WITHOUT ROWID only for small rows. The primary key still gets its own index.
    public const string Create = """
        CREATE TABLE IF NOT EXISTS publications (
            channel       TEXT    NOT NULL,
            stream_offset INTEGER NOT NULL,
            id            TEXT    NOT NULL,
            type          TEXT    NOT NULL,
            data          BLOB    NOT NULL,
            timestamp     INTEGER NOT NULL,
            state_key     TEXT,
            tags          TEXT,
            expires_at    INTEGER NOT NULL,
            PRIMARY KEY (channel, stream_offset)
        );
        CREATE INDEX IF NOT EXISTS publications_expires_at ON publications (expires_at);
        """;

    /// <summary>The columns <see cref="Internal.PublicationRows.Read"/> expects, in its order.</summary>
    private const string Columns = "stream_offset, id, type, data, timestamp, state_key, tags";

    public const string Insert = """
        INSERT INTO publications (channel, stream_offset, id, type, data, timestamp, state_key, tags, expires_at)
        VALUES ($channel, $offset, $id, $type, $data, $timestamp, $key, $tags, $expires_at);
        """;

    /// <summary>Keeps the newest <c>$size</c> rows of the channel (none when it is 0).</summary>
    public const string Trim = """
        DELETE FROM publications
        WHERE channel = $channel
          AND stream_offset <= (SELECT stream_offset FROM publications WHERE channel = $channel
                                ORDER BY stream_offset DESC LIMIT 1 OFFSET $size);
        """;

    public const string SelectAfter = $"""
        SELECT {Columns} FROM publications
        WHERE channel = $channel AND stream_offset > $since AND expires_at > $now
        ORDER BY stream_offset
        LIMIT $limit;
        """;

    public const string SelectNewest = $"""
        SELECT {Columns} FROM (
            SELECT {Columns} FROM publications
            WHERE channel = $channel AND expires_at > $now
            ORDER BY stream_offset DESC
            LIMIT $limit)
        ORDER BY stream_offset;
        """;

    /// <summary>Removes one batch of expired rows, so that maintenance never holds the store for long.</summary>
    public const string DeleteExpired = """
        DELETE FROM publications
        WHERE rowid IN (SELECT rowid FROM publications WHERE expires_at <= $now LIMIT $batch);
        """;
}
