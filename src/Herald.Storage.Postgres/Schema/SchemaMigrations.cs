namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// The schema's history, for every store sharing the database. Applied versions are rows of
/// <c>herald_schema</c>; all pending migrations run in one transaction under a
/// transaction-scoped advisory lock, so two nodes starting together never migrate at once and a
/// failure leaves the database at the version it had. A later schema change is a new entry at the
/// end, never an edit of an earlier one.
/// </summary>
internal static class SchemaMigrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, [StreamsTable.Create, PublicationsTable.Create, StateTable.Create]),
        new(2, [OperationsTable.Create]),
        new(3, [NotificationsTable.Create, NotificationMarksTable.Create]),
        new(4, [NodesTable.Create, PresenceTable.Create]),
    ];

    public static int Latest => All[^1].Version;

    /// <summary>The advisory lock key of migrations: the first eight bytes of "herald.s" as a bigint.</summary>
    public const string Lock = "SELECT pg_advisory_xact_lock(7522810683587964275);";

    public const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS herald_schema (
            version    integer     NOT NULL PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    public const string ReadVersion = "SELECT coalesce(max(version), 0) FROM herald_schema;";

    public const string RecordVersion = "INSERT INTO herald_schema (version) VALUES ($1);";
}

/// <summary>One schema step: the statements that take the database from version - 1 to <see cref="Version"/>.</summary>
internal sealed record Migration(int Version, IReadOnlyList<string> Statements);
