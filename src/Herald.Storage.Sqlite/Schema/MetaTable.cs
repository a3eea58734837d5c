namespace Herald.Storage.Sqlite.Schema;

/// <summary>
/// The database's own bookkeeping, as key and text value. The row <see cref="OpenKey"/> exists
/// while a process has the file open and is deleted when it closes it cleanly; its value says which
/// process had it. The row <see cref="BootKey"/> holds the kernel's boot id of the last open, so
/// that an unclean close can be told apart: a process crash (same boot, nothing lost) from an
/// operating-system crash or power loss (another boot, the last commits may be gone).
/// </summary>
internal static class MetaTable
{
    public const string OpenKey = "open";

    public const string BootKey = "boot";

    public const string Create = """
        CREATE TABLE IF NOT EXISTS herald_meta (
            key   TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """;

    public const string Select = "SELECT value FROM herald_meta WHERE key = $key;";

    public const string Upsert = """
        INSERT INTO herald_meta (key, value) VALUES ($key, $value)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value;
        """;

    public const string Delete = "DELETE FROM herald_meta WHERE key = $key;";

    /// <summary>The row of the write probe that readiness runs after a storage fault; deleted again at once.</summary>
    public const string ProbeKey = "probe";

    /// <summary>Stores the probe row: 256 KiB of random text, several large publications' worth, that nothing can share or skip.</summary>
    public const string Probe = "INSERT INTO herald_meta (key, value) VALUES ($key, hex(randomblob(131072))) ON CONFLICT (key) DO UPDATE SET value = excluded.value;";
}
