namespace Herald.Storage.Sqlite;

/// <summary>
/// Settings of the SQLite storage, bound from <c>Herald:Storage</c> by
/// <see cref="SqliteHeraldBuilderExtensions.UseSqlite(Core.IHeraldBuilder, Action{SqliteStorageOptions}?)"/>
/// and validated at start (<see cref="SqliteStorageOptionsValidator"/>).
/// </summary>
public sealed class SqliteStorageOptions
{
    /// <summary>The default database file.</summary>
    public const string DefaultSqlitePath = "herald.db";

    /// <summary>The keys these settings read under <c>Herald:Storage</c>.</summary>
    public static IReadOnlyList<string> SettingKeys { get; } = [nameof(SqlitePath)];

    /// <summary>
    /// The database file (<c>Herald:Storage:SqlitePath</c>), relative to the working directory unless
    /// absolute. A missing directory is created. Default <see cref="DefaultSqlitePath"/>.
    /// </summary>
    public string SqlitePath { get; set; } = DefaultSqlitePath;
}
