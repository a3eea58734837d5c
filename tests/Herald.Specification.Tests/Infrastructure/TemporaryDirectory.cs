using Microsoft.Data.Sqlite;

namespace Herald.Specification.Tests.Infrastructure;

/// <summary>A fresh directory per test for SQLite files, deleted with them at the end; and raw access to those files.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("herald-sqlite-");

    public string FullName => _directory.FullName;

    public string File(string name) => Path.Combine(_directory.FullName, name);

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>Runs <paramref name="sql"/> on its own connection to <paramref name="path"/>, as another process would.</summary>
    public static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync().Bounded();
        return await ScalarAsync(connection, sql);
    }

    public static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync().Bounded();
    }
}
