using System.Globalization;
using Herald.Messages.History;
using Herald.Storage.Sqlite.Schema;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite;

public sealed partial class SqliteDatabase
{
    /// <summary>The SQL function that <see cref="StreamsTable.RenewAllEpochs"/> calls once per row.</summary>
    internal const string NewEpochFunction = "herald_new_epoch";

    /// <summary>Opens the file, sets the journal and locking pragmas, migrates, and records that the file is open.</summary>
    private async Task OpenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is not null)
            {
                return;
            }
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = Path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                // The database holds its one connection for its lifetime; without pooling, disposing
                // it really closes the file (a restart, a deleted test file).
                Pooling = false,
                DefaultTimeout = (int)BusyTimeout.TotalSeconds,
            };
            var connection = new SqliteConnection(builder.ToString());
            try
            {
                if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path)) is { Length: > 0 } directory)
                {
                    Directory.CreateDirectory(directory);
                }
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, $"PRAGMA busy_timeout = {(long)BusyTimeout.TotalMilliseconds};", cancellationToken).ConfigureAwait(false);
                // The first statement that reads the file: a file that is not a database fails here.
                await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, "PRAGMA synchronous = NORMAL;", cancellationToken).ConfigureAwait(false);
                await MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
                (PreviousShutdownWasUnclean, EpochsRenewed) = await MarkOpenAsync(connection, cancellationToken).ConfigureAwait(false);
                _connection = connection;
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"The SQLite database '{System.IO.Path.GetFullPath(Path)}' cannot be opened: {ex.Message}", ex);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var read = connection.CreateCommand();
        read.CommandText = SchemaMigrations.ReadVersion;
        var version = Convert.ToInt64(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (version > SchemaMigrations.Latest)
        {
            throw new InvalidOperationException(
                $"The SQLite database '{System.IO.Path.GetFullPath(Path)}' has schema version {version}, newer than the {SchemaMigrations.Latest} this version of Herald knows; run a newer Herald or use another file.");
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

    /// <summary>
    /// Sets the open record and, when the previous run left it set and a loss is possible, renews
    /// every stream's epoch, in one transaction. A process that dies (SIGKILL, a crash) loses
    /// nothing of what it committed: in WAL mode with <c>synchronous=NORMAL</c> every commit has been
    /// written to the operating system, which still holds it. Only an operating-system crash or a
    /// power loss can drop the last commits, and either means a new boot. So the record carries the
    /// kernel's boot id: the same boot keeps every epoch (clients recover from their positions);
    /// another boot, or no boot id on either side, renews them, the safe side.
    /// The record is committed with <c>synchronous=FULL</c>: it must be on disk before any commit
    /// that a power loss could drop, or a lost run would look clean. WAL frames are replayed in
    /// order, so once this commit is durable every later one either survives or leaves the record set.
    /// </summary>
    private static async Task<(bool Unclean, bool Renewed)> MarkOpenAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        connection.CreateFunction<string>(NewEpochFunction, StreamPosition.NewEpoch, isDeterministic: false);
        await ExecuteAsync(connection, "PRAGMA synchronous = FULL;", cancellationToken).ConfigureAwait(false);
        var boot = Internal.BootId.Current;
        bool unclean, renew;
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            unclean = await ReadMetaAsync(connection, transaction, MetaTable.OpenKey, cancellationToken).ConfigureAwait(false) is not null;
            var previousBoot = await ReadMetaAsync(connection, transaction, MetaTable.BootKey, cancellationToken).ConfigureAwait(false);
            renew = unclean && (boot is null || previousBoot != boot);
            if (renew)
            {
                await ExecuteAsync(connection, StreamsTable.RenewAllEpochs, cancellationToken, transaction).ConfigureAwait(false);
            }
            // For whoever inspects a file left open: which process had it.
            await WriteMetaAsync(connection, transaction, MetaTable.OpenKey, $"pid {Environment.ProcessId} on {Environment.MachineName}", cancellationToken).ConfigureAwait(false);
            if (boot is null)
            {
                await DeleteMetaAsync(connection, transaction, MetaTable.BootKey, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteMetaAsync(connection, transaction, MetaTable.BootKey, boot, cancellationToken).ConfigureAwait(false);
            }
            transaction.Commit();
        }
        await ExecuteAsync(connection, "PRAGMA synchronous = NORMAL;", cancellationToken).ConfigureAwait(false);
        return (unclean, renew);
    }

    private static async Task<string?> ReadMetaAsync(SqliteConnection connection, SqliteTransaction transaction, string key, CancellationToken cancellationToken)
    {
        using var read = connection.CreateCommand();
        read.Transaction = transaction;
        read.CommandText = MetaTable.Select;
        read.Parameters.AddWithValue("$key", key);
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
    }

    private static async Task WriteMetaAsync(SqliteConnection connection, SqliteTransaction transaction, string key, string value, CancellationToken cancellationToken)
    {
        using var write = connection.CreateCommand();
        write.Transaction = transaction;
        write.CommandText = MetaTable.Upsert;
        write.Parameters.AddWithValue("$key", key);
        write.Parameters.AddWithValue("$value", value);
        await write.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task DeleteMetaAsync(SqliteConnection connection, SqliteTransaction? transaction, string key, CancellationToken cancellationToken)
    {
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = MetaTable.Delete;
        delete.Parameters.AddWithValue("$key", key);
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Clears the open record, durably. Called with the gate held, after the last unit of work.</summary>
    private static async Task CloseCleanlyAsync(SqliteConnection connection)
    {
        try
        {
            await ExecuteAsync(connection, "PRAGMA synchronous = FULL;", CancellationToken.None).ConfigureAwait(false);
            await DeleteMetaAsync(connection, null, MetaTable.OpenKey, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SqliteException)
        {
            // The file still says open: the next start renews every epoch, which is the safe side.
            // Disposal goes on and closes the file.
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
