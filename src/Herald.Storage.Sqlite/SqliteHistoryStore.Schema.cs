using Herald.Storage.Sqlite.Schema;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite;

public sealed partial class SqliteHistoryStore
{
    /// <summary>Opens the file, sets the journal and locking pragmas, and brings the schema to <see cref="SchemaMigrations.Latest"/>.</summary>
    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // The store holds its one connection for its lifetime; without pooling, disposing it
            // really closes the file (a restart, a deleted test file).
            Pooling = false,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            if (Path.GetDirectoryName(Path.GetFullPath(_path)) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"PRAGMA busy_timeout = {(long)BusyTimeout.TotalMilliseconds};", cancellationToken).ConfigureAwait(false);
            // The first statement that reads the file: a file that is not a database fails here.
            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "PRAGMA synchronous = NORMAL;", cancellationToken).ConfigureAwait(false);
            await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"The SQLite history database '{Path.GetFullPath(_path)}' cannot be opened: {ex.Message}", ex);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var read = connection.CreateCommand();
        read.CommandText = SchemaMigrations.ReadVersion;
        var version = Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        if (version > SchemaMigrations.Latest)
        {
            throw new InvalidOperationException(
                $"The SQLite history database '{Path.GetFullPath(_path)}' has schema version {version}, newer than the {SchemaMigrations.Latest} this version of Herald knows; run a newer Herald or use another file.");
        }
        foreach (var migration in SchemaMigrations.All)
        {
            if (migration.Version <= version)
            {
                continue;
            }
            using var transaction = connection.BeginTransaction(deferred: false);
            foreach (var statement in migration.Statements)
            {
                await ExecuteAsync(connection, statement, cancellationToken, transaction).ConfigureAwait(false);
            }
            await ExecuteAsync(connection, SchemaMigrations.WriteVersion(migration.Version), cancellationToken, transaction).ConfigureAwait(false);
            transaction.Commit();
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
