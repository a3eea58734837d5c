using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite.Internal;

/// <summary>
/// One transaction on the database's connection, handed to a store's work by
/// <see cref="SqliteDatabase"/>; valid only while that work runs.
/// </summary>
internal readonly struct UnitOfWork(SqliteDatabase database, SqliteTransaction transaction)
{
    /// <summary>The cached command for <paramref name="sql"/>, bound to this transaction and emptied of parameters.</summary>
    public SqliteCommand Command(string sql) => database.Command(sql, transaction);
}
