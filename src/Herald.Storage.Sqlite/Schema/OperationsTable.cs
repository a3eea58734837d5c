namespace Herald.Storage.Sqlite.Schema;

/// <summary>
/// Operations: type, resource, status, progress, message, error, parameters and times, plus organisation, attempt, retry link,
/// idempotency key, cancel request, result and version. <c>parameters</c> and <c>result</c> are the
/// raw JSON bytes, NULL when empty; times are Unix time in 100 ns ticks
/// (<c>datetime(created_at / 10000000, 'unixepoch')</c> reads one), which keeps a
/// <see cref="DateTimeOffset"/> exactly.
/// </summary>
/// <remarks>
/// <c>operations_one_active</c> is what makes "one active operation per organisation, type and
/// resource" hold even against another connection; <see cref="SqliteOperationStore.CreateAsync"/>
/// checks it first under the write lock so that it answers with the blocking operation instead of
/// failing.
/// </remarks>
internal static class OperationsTable
{
    /// <summary>Statuses that are not final, as stored: the partial index and the queries must agree on them.</summary>
    private const string Active = "('pending', 'running')";

    private const string Final = "('completed', 'failed', 'cancelled')";

    public const string Create = $"""
        CREATE TABLE IF NOT EXISTS operations (
            id               TEXT    NOT NULL PRIMARY KEY,
            org_id           TEXT    NOT NULL,
            type             TEXT    NOT NULL,
            resource         TEXT    NOT NULL,
            status           TEXT    NOT NULL CHECK (status IN {Active} OR status IN {Final}),
            progress         INTEGER NOT NULL,
            message          TEXT,
            error            TEXT,
            parameters       BLOB,
            result           BLOB,
            created_by       TEXT    NOT NULL,
            created_at       INTEGER NOT NULL,
            updated_at       INTEGER NOT NULL,
            completed_at     INTEGER,
            attempt          INTEGER NOT NULL,
            retry_of         TEXT,
            idempotency_key  TEXT,
            cancel_requested INTEGER NOT NULL,
            version          INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS operations_org_created ON operations (org_id, created_at, id);
        CREATE INDEX IF NOT EXISTS operations_org_resource ON operations (org_id, resource, created_at, id);
        CREATE UNIQUE INDEX IF NOT EXISTS operations_idempotency ON operations (org_id, idempotency_key)
            WHERE idempotency_key IS NOT NULL;
        CREATE INDEX IF NOT EXISTS operations_status_updated ON operations (status, updated_at);
        CREATE INDEX IF NOT EXISTS operations_completed ON operations (completed_at)
            WHERE completed_at IS NOT NULL;
        CREATE UNIQUE INDEX IF NOT EXISTS operations_one_active ON operations (org_id, type, resource)
            WHERE status IN {Active};
        """;

    /// <summary>The columns <see cref="Internal.OperationRows.Read"/> expects, in its order.</summary>
    private const string Columns = """
        id, org_id, type, resource, status, progress, message, error, parameters, result, created_by,
        created_at, updated_at, completed_at, attempt, retry_of, idempotency_key, cancel_requested, version
        """;

    public const string Insert = $"""
        INSERT INTO operations ({Columns})
        VALUES ($id, $org_id, $type, $resource, $status, $progress, $message, $error, $parameters, $result, $created_by,
                $created_at, $updated_at, $completed_at, $attempt, $retry_of, $idempotency_key, $cancel_requested, $version);
        """;

    public const string SelectById = $"SELECT {Columns} FROM operations WHERE id = $id;";

    public const string SelectByIdempotencyKey = $"SELECT {Columns} FROM operations WHERE org_id = $org_id AND idempotency_key = $idempotency_key;";

    public const string SelectActive = $"""
        SELECT {Columns} FROM operations
        WHERE org_id = $org_id AND type = $type AND resource = $resource AND status IN {Active};
        """;

    /// <summary>Compare-and-set: changes the row only when it still has <c>$expected_version</c>.</summary>
    public const string Update = """
        UPDATE operations SET
            org_id = $org_id, type = $type, resource = $resource, status = $status, progress = $progress,
            message = $message, error = $error, parameters = $parameters, result = $result,
            created_by = $created_by, created_at = $created_at, updated_at = $updated_at,
            completed_at = $completed_at, attempt = $attempt, retry_of = $retry_of,
            idempotency_key = $idempotency_key, cancel_requested = $cancel_requested, version = $version
        WHERE id = $id AND version = $expected_version;
        """;

    /// <summary>An organisation's operations, newest first; <c>$active_only</c> 1 keeps pending and running ones.</summary>
    public const string ListByOrg = $"""
        SELECT {Columns} FROM operations
        WHERE org_id = $org_id AND ($active_only = 0 OR status IN {Active})
        ORDER BY created_at DESC, id DESC
        LIMIT $limit;
        """;

    public const string ListByResource = $"""
        SELECT {Columns} FROM operations
        WHERE org_id = $org_id AND resource = $resource AND ($active_only = 0 OR status IN {Active})
        ORDER BY created_at DESC, id DESC
        LIMIT $limit;
        """;

    public const string SelectStale = $"""
        SELECT {Columns} FROM operations
        WHERE status IN {Active} AND updated_at < $updated_before
        ORDER BY updated_at, id;
        """;

    public const string DeleteFinished = $"""
        DELETE FROM operations
        WHERE completed_at < $completed_before AND status IN {Final};
        """;
}
