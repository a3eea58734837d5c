namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// The node registry: one row per live node, with its latest report. <c>heartbeat_at</c> is the
/// database's clock (<c>clock_timestamp()</c>) at the node's latest heartbeat, so nodes whose own
/// clocks disagree never take each other for dead; <c>started_at</c> is the node's own start time
/// in 100 ns Unix ticks. Names compare byte by byte (<c>COLLATE "C"</c>).
/// </summary>
internal static class NodesTable
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS herald_nodes (
            name           text COLLATE "C" NOT NULL PRIMARY KEY,
            version        text        NOT NULL,
            started_at     bigint      NOT NULL,
            heartbeat_at   timestamptz NOT NULL,
            connections    bigint      NOT NULL,
            users          bigint      NOT NULL,
            channels       bigint      NOT NULL,
            subscriptions  bigint      NOT NULL,
            messages_in    bigint      NOT NULL,
            messages_out   bigint      NOT NULL,
            publications   bigint      NOT NULL,
            dropped        bigint      NOT NULL,
            slow_consumers bigint      NOT NULL
        );
        """;

    /// <summary>
    /// Registers or refreshes node $1 with its report ($2 version, $3 started_at, $4–$12 the
    /// counters in column order); answers true when the row was inserted (the node was not registered).
    /// <c>xmax = 0</c> tells an inserted row from an updated one; it also holds when the row was
    /// deleted by a dead-node sweep while this statement waited on it, which a check of the table
    /// before the insert would miss (the node would then never join its presence again).
    /// </summary>
    public const string Heartbeat = """
        INSERT INTO herald_nodes (name, version, started_at, heartbeat_at, connections, users, channels, subscriptions,
                                  messages_in, messages_out, publications, dropped, slow_consumers)
        VALUES ($1, $2, $3, clock_timestamp(), $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (name) DO UPDATE SET
            version = excluded.version, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at,
            connections = excluded.connections, users = excluded.users, channels = excluded.channels,
            subscriptions = excluded.subscriptions, messages_in = excluded.messages_in, messages_out = excluded.messages_out,
            publications = excluded.publications, dropped = excluded.dropped, slow_consumers = excluded.slow_consumers
        RETURNING xmax = 0;
        """;

    public const string SelectAll = """
        SELECT name, version, started_at, heartbeat_at, connections, users, channels, subscriptions,
               messages_in, messages_out, publications, dropped, slow_consumers
        FROM herald_nodes ORDER BY name;
        """;

    /// <summary>The nodes whose heartbeat is older than the interval $1.</summary>
    public const string SelectDead = "SELECT name FROM herald_nodes WHERE heartbeat_at < clock_timestamp() - $1 ORDER BY name;";

    public const string Delete = "DELETE FROM herald_nodes WHERE name = $1;";
}
