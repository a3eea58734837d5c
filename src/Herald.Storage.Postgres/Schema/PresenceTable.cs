namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// Presence: one row per subscribed connection, with the node that holds it. <c>info</c> is the
/// raw JSON bytes (NULL when none); <c>joined_at</c> is Unix time in 100 ns ticks. Join and leave
/// decisions for one (channel, user) run under a transaction-scoped advisory lock on that pair
/// (<see cref="Lock"/>), so of concurrent joins on any nodes one sees itself first, and of
/// concurrent leaves one sees itself last. Ids compare byte by byte (<c>COLLATE "C"</c>).
/// </summary>
internal static class PresenceTable
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS herald_presence (
            channel   text COLLATE "C" NOT NULL,
            user_id   text COLLATE "C" NOT NULL,
            client_id text COLLATE "C" NOT NULL,
            node      text COLLATE "C" NOT NULL,
            info      bytea,
            joined_at bigint NOT NULL,
            PRIMARY KEY (channel, user_id, client_id)
        );
        CREATE INDEX IF NOT EXISTS herald_presence_node ON herald_presence (node);
        """;

    /// <summary>
    /// The lock of channel $1 and user $2 until the transaction ends. The two-key form keeps these
    /// locks apart from the single-key locks of migrations; the first key is "hrlp".
    /// </summary>
    public const string Lock = "SELECT pg_advisory_xact_lock(1752329328, hashtext($1 || chr(10) || $2));";

    /// <summary>$1 channel, $2 user_id, $3 client_id, $4 node, $5 info, $6 joined_at.</summary>
    public const string Upsert = """
        INSERT INTO herald_presence (channel, user_id, client_id, node, info, joined_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (channel, user_id, client_id) DO UPDATE SET node = excluded.node, info = excluded.info, joined_at = excluded.joined_at;
        """;

    /// <summary>How many connections user $2 has in channel $1.</summary>
    public const string CountUser = "SELECT count(*) FROM herald_presence WHERE channel = $1 AND user_id = $2;";

    /// <summary>
    /// User $2's entry in channel $1 (connections, oldest join, newest info) and how many of those
    /// connections are client $3 (or, in <see cref="SummarizeUserOfNode"/>, of node $3).
    /// </summary>
    private const string Summary = "count(*), min(joined_at), (array_agg(info ORDER BY joined_at DESC, client_id DESC))[1]";

    public const string SummarizeUserOfClient = $"SELECT {Summary}, count(*) FILTER (WHERE client_id = $3) FROM herald_presence WHERE channel = $1 AND user_id = $2;";

    public const string SummarizeUserOfNode = $"SELECT {Summary}, count(*) FILTER (WHERE node = $3) FROM herald_presence WHERE channel = $1 AND user_id = $2;";

    public const string DeleteClient = "DELETE FROM herald_presence WHERE channel = $1 AND user_id = $2 AND client_id = $3;";

    public const string DeleteUserOfNode = "DELETE FROM herald_presence WHERE channel = $1 AND user_id = $2 AND node = $3;";

    /// <summary>Every user of channel $1 with their entry.</summary>
    public const string SelectChannel = $"SELECT user_id, {Summary} FROM herald_presence WHERE channel = $1 GROUP BY user_id ORDER BY user_id;";

    /// <summary>The (channel, user) pairs with a connection on node $1.</summary>
    public const string SelectPairsOfNode = "SELECT DISTINCT channel, user_id FROM herald_presence WHERE node = $1;";
}
