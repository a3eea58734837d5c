namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// Operations: type, resource, status, progress, message, error, parameters and times, plus
/// organisation, attempt, retry link, idempotency key, cancel request, result and version, as in
/// the SQLite schema. <c>parameters</c> and <c>result</c> are the raw JSON bytes, NULL when empty;
/// times are Unix time in 100 ns ticks (<c>to_timestamp(created_at / 1e7)</c> reads one), which
/// keeps a <see cref="DateTimeOffset"/> exactly. Ids compare byte by byte (<c>COLLATE "C"</c>), as
/// SQLite and the memory store order them, whatever the database's collation.
/// </summary>
/// <remarks>
/// The two unique indexes are the guarantees, whichever node writes: <c>herald_operations_one_active</c>
/// allows one active operation per organisation, type and resource, and
/// <c>herald_operations_idempotency</c> one operation per organisation and idempotency key.
/// <see cref="CreateIfFree"/> checks both first so that it answers with the operation in the way
/// instead of failing; a create that loses a race to another node's commit fails on an index
/// (23505), and its caller runs it again to read the winner.
/// </remarks>
internal static class OperationsTable
{
    /// <summary>Statuses that are not final, as stored: the partial index and the queries must agree on them.</summary>
    private const string Active = "('pending', 'running')";

    private const string Final = "('completed', 'failed', 'cancelled')";

    public const string OneActiveIndex = "herald_operations_one_active";

    public const string IdempotencyIndex = "herald_operations_idempotency";

    public const string Create = $"""
        CREATE TABLE IF NOT EXISTS herald_operations (
            id               text COLLATE "C" NOT NULL PRIMARY KEY,
            org_id           text    NOT NULL,
            type             text    NOT NULL,
            resource         text    NOT NULL,
            status           text    NOT NULL CHECK (status IN {Active} OR status IN {Final}),
            progress         integer NOT NULL,
            message          text,
            error            text,
            parameters       bytea,
            result           bytea,
            created_by       text    NOT NULL,
            created_at       bigint  NOT NULL,
            updated_at       bigint  NOT NULL,
            completed_at     bigint,
            attempt          integer NOT NULL,
            retry_of         text,
            idempotency_key  text,
            cancel_requested boolean NOT NULL,
            version          bigint  NOT NULL
        );
        CREATE INDEX IF NOT EXISTS herald_operations_org_created ON herald_operations (org_id, created_at, id);
        CREATE INDEX IF NOT EXISTS herald_operations_org_resource ON herald_operations (org_id, resource, created_at, id);
        CREATE UNIQUE INDEX IF NOT EXISTS {IdempotencyIndex} ON herald_operations (org_id, idempotency_key)
            WHERE idempotency_key IS NOT NULL;
        CREATE INDEX IF NOT EXISTS herald_operations_status_updated ON herald_operations (status, updated_at);
        CREATE INDEX IF NOT EXISTS herald_operations_completed ON herald_operations (completed_at)
            WHERE completed_at IS NOT NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS {OneActiveIndex} ON herald_operations (org_id, type, resource)
            WHERE status IN {Active};
        """;

    /// <summary>The columns <see cref="Internal.OperationRows.Read"/> expects, in its order, which is also the order of the parameters $1–$19.</summary>
    private const string Columns = """
        id, org_id, type, resource, status, progress, message, error, parameters, result, created_by,
        created_at, updated_at, completed_at, attempt, retry_of, idempotency_key, cancel_requested, version
        """;

    /// <summary>
    /// Inserts the operation of $1–$19 unless one of the organisation ($2) has its idempotency key
    /// ($17) or one of its type ($3) and resource ($4) is active. Answers nothing when it inserted,
    /// otherwise one row: whether the key matched, then the <see cref="Columns"/> of the operation
    /// in the way (the key's first).
    /// </summary>
    public const string CreateIfFree = $"""
        WITH same_key AS (
            SELECT {Columns} FROM herald_operations
            WHERE org_id = $2 AND idempotency_key = $17),
        blocking AS (
            SELECT {Columns} FROM herald_operations
            WHERE org_id = $2 AND type = $3 AND resource = $4 AND status IN {Active}),
        inserted AS (
            INSERT INTO herald_operations ({Columns})
            SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19
            WHERE NOT EXISTS (SELECT FROM same_key) AND NOT EXISTS (SELECT FROM blocking))
        SELECT * FROM (
            SELECT true AS same_key, {Columns} FROM same_key
            UNION ALL
            SELECT false, {Columns} FROM blocking) found
        ORDER BY same_key DESC
        LIMIT 1;
        """;

    public const string SelectById = $"SELECT {Columns} FROM herald_operations WHERE id = $1;";

    /// <summary>Compare-and-set: stores $1–$19 only when the row still has version $20.</summary>
    public const string Update = """
        UPDATE herald_operations SET
            org_id = $2, type = $3, resource = $4, status = $5, progress = $6,
            message = $7, error = $8, parameters = $9, result = $10,
            created_by = $11, created_at = $12, updated_at = $13,
            completed_at = $14, attempt = $15, retry_of = $16,
            idempotency_key = $17, cancel_requested = $18, version = $19
        WHERE id = $1 AND version = $20;
        """;

    /// <summary>Operations of organisation $1, newest first; $2 true keeps pending and running ones; at most $3.</summary>
    public const string ListByOrg = $"""
        SELECT {Columns} FROM herald_operations
        WHERE org_id = $1 AND (NOT $2 OR status IN {Active})
        ORDER BY created_at DESC, id DESC
        LIMIT $3;
        """;

    /// <summary>As <see cref="ListByOrg"/> for resource $4 only.</summary>
    public const string ListByResource = $"""
        SELECT {Columns} FROM herald_operations
        WHERE org_id = $1 AND resource = $4 AND (NOT $2 OR status IN {Active})
        ORDER BY created_at DESC, id DESC
        LIMIT $3;
        """;

    /// <summary>Active operations updated before $1, least recently updated first.</summary>
    public const string SelectStale = $"""
        SELECT {Columns} FROM herald_operations
        WHERE status IN {Active} AND updated_at < $1
        ORDER BY updated_at, id;
        """;

    /// <summary>Final operations completed before $1.</summary>
    public const string DeleteFinished = $"""
        DELETE FROM herald_operations
        WHERE completed_at < $1 AND status IN {Final};
        """;
}
