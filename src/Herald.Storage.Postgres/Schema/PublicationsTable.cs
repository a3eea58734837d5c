namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// The cluster's publication log, which is also every channel's history. Every publication of
/// every node is one row, appended in a transaction that holds its shard's advisory lock
/// (<c>shard</c> = a stable hash of the channel, see <see cref="Internal.Shards"/>), so that within
/// a shard <c>log_id</c> order is commit order: every node tails each shard with
/// <c>log_id &gt; cursor</c> and never skips a row that a slower transaction commits later.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>stream_offset</c> and <c>epoch</c> are null for a publication without a stream
/// (channels that keep no history, presence join and leave, cluster signals).</item>
/// <item><c>expires_at</c> (Unix milliseconds) is set for rows that are part of their channel's
/// history: published with a history size above 0, until their TTL. Reads return only those, and
/// only the newest <c>herald_streams.history_size</c> of them. Rows with a null
/// <c>expires_at</c> are kept only for the other nodes to tail.</item>
/// <item><c>logged_at</c> (Unix milliseconds) is when the row was appended. Maintenance removes
/// rows in batches, never one delete per publication and never a whole-table delete, and only
/// rows logged longer ago than the log retention, so a node that lags or reconnects still finds
/// what it has not read.</item>
/// <item><c>data</c> holds the payload's UTF-8 JSON bytes exactly as published; <c>tags</c> a JSON
/// object of strings or null.</item>
/// </list>
/// </remarks>
internal static class PublicationsTable
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS herald_publications (
            log_id        bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            shard         smallint NOT NULL,
            channel       text     NOT NULL,
            stream_offset bigint,
            epoch         text,
            id            text     NOT NULL,
            type          text     NOT NULL,
            data          bytea    NOT NULL,
            timestamp     bigint   NOT NULL,
            state_key     text,
            tags          text,
            expires_at    bigint,
            logged_at     bigint   NOT NULL
        );
        CREATE INDEX IF NOT EXISTS herald_publications_tail ON herald_publications (shard, log_id);
        CREATE INDEX IF NOT EXISTS herald_publications_history ON herald_publications (channel, stream_offset) WHERE expires_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS herald_publications_expires_at ON herald_publications (expires_at) WHERE expires_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS herald_publications_logged_at ON herald_publications (logged_at) WHERE expires_at IS NULL;
        """;

    /// <summary>The columns <see cref="Internal.PublicationRows.Read"/> expects, from its first ordinal on.</summary>
    public const string Columns = "p.stream_offset, p.epoch, p.id, p.type, p.data, p.timestamp, p.state_key, p.tags";

    /// <summary>
    /// Moves the stream one offset on (creating it at 1) and logs the publication at that offset:
    /// $1 channel, $2 new epoch (used only when the stream is created), $3 history size, $4 now,
    /// $5 shard, $6 id, $7 type, $8 data, $9 timestamp, $10 key, $11 tags, $12 expires_at (null
    /// when the size is 0). Answers (stream_offset, epoch).
    /// </summary>
    public const string AppendToStream = $"""
        WITH {AdvanceStream},
        logged AS ({InsertAtStream})
        SELECT stream_offset, epoch FROM logged;
        """;

    /// <summary>
    /// <see cref="AppendToStream"/>, also keeping the publication as its key's latest state and
    /// evicting the least recently updated keys beyond $13 + 1 (the maximum number of keys minus
    /// one: the new key counts as the newest).
    /// </summary>
    public const string AppendToStreamWithState = $"""
        WITH {AdvanceStream},
        logged AS ({InsertAtStream}),
        state AS (
            INSERT INTO herald_state (channel, state_key, stream_offset, epoch, id, type, data, timestamp, tags)
            SELECT $1, $10, s.top_offset, s.epoch, $6, $7, $8, $9, $11 FROM s
            ON CONFLICT (channel, state_key) DO UPDATE SET
                stream_offset = excluded.stream_offset, epoch = excluded.epoch, id = excluded.id, type = excluded.type,
                data = excluded.data, timestamp = excluded.timestamp, tags = excluded.tags),
        evicted AS (
            DELETE FROM herald_state
            WHERE channel = $1 AND state_key <> $10
              AND stream_offset <= (SELECT stream_offset FROM herald_state WHERE channel = $1 AND state_key <> $10
                                    ORDER BY stream_offset DESC LIMIT 1 OFFSET $13))
        SELECT stream_offset, epoch FROM logged;
        """;

    private const string AdvanceStream = """
        s AS (
            INSERT INTO herald_streams AS s (channel, epoch, top_offset, history_size, last_used)
            VALUES ($1, $2, 1, $3, $4)
            ON CONFLICT (channel) DO UPDATE SET top_offset = s.top_offset + 1, history_size = excluded.history_size, last_used = excluded.last_used
            RETURNING s.top_offset, s.epoch)
        """;

    private const string InsertAtStream = """
        INSERT INTO herald_publications (shard, channel, stream_offset, epoch, id, type, data, timestamp, state_key, tags, expires_at, logged_at)
            SELECT $5, $1, s.top_offset, s.epoch, $6, $7, $8, $9, $10, $11, $12, $4 FROM s
            RETURNING stream_offset, epoch
        """;

    /// <summary>Logs a publication without a stream: $1 shard, $2 channel, $3 id, $4 type, $5 data, $6 timestamp, $7 key, $8 tags, $9 now. Answers the log id.</summary>
    public const string AppendTransient = """
        INSERT INTO herald_publications (shard, channel, id, type, data, timestamp, state_key, tags, logged_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        RETURNING log_id;
        """;

    /// <summary>
    /// One page of a channel's history and, from the same snapshot, its position: $1 channel,
    /// $2 since (exclusive; rows after it ascending), $3 limit, $4 now. Answers one row per
    /// publication after the position columns (top_offset, epoch), or one row of position only.
    /// </summary>
    public const string SelectAfter = $"""
        SELECT st.top_offset, st.epoch, {Columns}
        FROM herald_streams st
        LEFT JOIN LATERAL (
            SELECT {Columns} FROM herald_publications p
            WHERE p.channel = st.channel AND p.expires_at IS NOT NULL AND p.expires_at > $4 AND p.epoch = st.epoch
              AND p.stream_offset > greatest($2, st.top_offset - st.history_size)
            ORDER BY p.stream_offset
            LIMIT $3) p ON true
        WHERE st.channel = $1
        ORDER BY p.stream_offset;
        """;

    /// <summary>As <see cref="SelectAfter"/> for the newest $3 publications (answered newest first).</summary>
    public const string SelectNewest = $"""
        SELECT st.top_offset, st.epoch, {Columns}
        FROM herald_streams st
        LEFT JOIN LATERAL (
            SELECT {Columns} FROM herald_publications p
            WHERE p.channel = st.channel AND p.expires_at IS NOT NULL AND p.expires_at > $4 AND p.epoch = st.epoch
              AND p.stream_offset > st.top_offset - st.history_size
            ORDER BY p.stream_offset DESC
            LIMIT $3) p ON true
        WHERE st.channel = $1
        ORDER BY p.stream_offset DESC;
        """;

    /// <summary>
    /// The next rows of every shard after its cursor: $1 shards (smallint[]), $2 cursors (bigint[]),
    /// $3 rows per shard. Answers log_id, shard, channel, then the <see cref="Columns"/>.
    /// </summary>
    public const string Tail = $"""
        SELECT p.log_id, p.shard, p.channel, {Columns}
        FROM unnest($1::smallint[], $2::bigint[]) AS c(shard, cursor_id)
        CROSS JOIN LATERAL (
            SELECT * FROM herald_publications p
            WHERE p.shard = c.shard AND p.log_id > c.cursor_id
            ORDER BY p.log_id
            LIMIT $3) p
        ORDER BY p.shard, p.log_id;
        """;

    /// <summary>The newest log_id of every shard (0 when it has none): where a starting node begins to tail. $1 shard count.</summary>
    public const string Heads = """
        SELECT s::smallint, coalesce((SELECT max(log_id) FROM herald_publications p WHERE p.shard = s), 0)
        FROM generate_series(0, $1 - 1) AS s;
        """;

    /// <summary>The newest log_id of shard $1 (0 when it has none): a node subscribing to a channel of the shard delivers only rows after it.</summary>
    public const string Head = "SELECT coalesce(max(log_id), 0) FROM herald_publications WHERE shard = $1;";

    /// <summary>One batch of history rows past their TTL and logged before the retention cutoff: $1 now, $2 cutoff, $3 batch.</summary>
    public const string DeleteExpired = """
        DELETE FROM herald_publications
        WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM herald_publications
            WHERE expires_at IS NOT NULL AND expires_at <= $1 AND logged_at < $2
            LIMIT $3));
        """;

    /// <summary>One batch of rows kept only for tailing, logged before the cutoff: $1 cutoff, $2 batch.</summary>
    public const string DeleteLogged = """
        DELETE FROM herald_publications
        WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM herald_publications
            WHERE expires_at IS NULL AND logged_at < $1
            LIMIT $2));
        """;

    /// <summary>
    /// One batch of history rows that fell out of their channel's window (beyond its size), of
    /// streams appended to since $1, logged before the cutoff $2: $3 batch.
    /// </summary>
    public const string DeleteTrimmed = """
        DELETE FROM herald_publications
        WHERE ctid = ANY (ARRAY(
            SELECT p.ctid FROM herald_streams s
            JOIN herald_publications p ON p.channel = s.channel AND p.expires_at IS NOT NULL
                 AND p.stream_offset <= s.top_offset - s.history_size
            WHERE s.last_used >= $1 AND p.logged_at < $2
            LIMIT $3));
        """;
}
