namespace Herald.Storage.Sqlite.Schema;

/// <summary>
/// The schema's history, for every store sharing the file. The database's version is SQLite's
/// <c>PRAGMA user_version</c> (0 for a new file); each migration runs in its own transaction
/// together with the version bump, so a crash leaves the database at one version or the next. A
/// later schema change is a new entry at the end, never an edit of an earlier one.
/// </summary>
internal static class SchemaMigrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, [StreamsTable.Create, PublicationsTable.Create, StateTable.Create]),
        new(2, [OperationsTable.Create]),
        new(3, [NotificationsTable.Create, NotificationMarksTable.Create]),
        new(4, [MetaTable.Create]),
    ];

    public static int Latest => All[^1].Version;

    public const string ReadVersion = "PRAGMA user_version;";

    // PRAGMA takes no bound parameters; the version is a constant of this class, never input.
    public static string WriteVersion(int version) => $"PRAGMA user_version = {version};";
}

/// <summary>One schema step: the statements that take the database from version - 1 to <see cref="Version"/>.</summary>
internal sealed record Migration(int Version, IReadOnlyList<string> Statements);
