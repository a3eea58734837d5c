using Herald.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite;

public sealed partial class SqliteDatabase
{
    /// <summary>
    /// Runs <paramref name="work"/> in a deferred transaction (it takes the write lock only if it
    /// writes), alone on the connection, and commits it unless it throws.
    /// </summary>
    internal ValueTask<TResult> ReadAsync<TState, TResult>(TState state, Func<UnitOfWork, TState, CancellationToken, ValueTask<TResult>> work, CancellationToken cancellationToken) =>
        RunAsync(deferred: true, state, work, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in an immediate transaction (the write lock is taken first, so
    /// its reads and writes are atomic across connections too), alone on the connection, and
    /// commits it unless it throws.
    /// </summary>
    internal ValueTask<TResult> WriteAsync<TState, TResult>(TState state, Func<UnitOfWork, TState, CancellationToken, ValueTask<TResult>> work, CancellationToken cancellationToken) =>
        RunAsync(deferred: false, state, work, cancellationToken);

    /// <summary>Runs one statement in its own immediate transaction; answers the rows it changed.</summary>
    internal ValueTask<int> ExecuteAsync<TState>(string sql, TState state, Action<SqliteParameterCollection, TState> bind, CancellationToken cancellationToken) =>
        RunAsync(deferred: false, (sql, state, bind), static async (unit, s, ct) =>
        {
            var command = unit.Command(s.sql);
            s.bind(command.Parameters, s.state);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    private async ValueTask<TResult> RunAsync<TState, TResult>(bool deferred, TState state, Func<UnitOfWork, TState, CancellationToken, ValueTask<TResult>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = Connection.BeginTransaction(deferred);
            var result = await work(new UnitOfWork(this, transaction), state, cancellationToken).ConfigureAwait(false);
            transaction.Commit();
            if (!deferred)
            {
                _fault = null;
            }
            return result;
        }
        catch (SqliteException ex) when (IsStorageFault(ex))
        {
            // The transaction is rolled back: nothing of it is stored. Readiness says so until a write succeeds.
            _fault = ex.Message;
            throw new Core.StorageUnavailableException($"the SQLite database '{Path}' cannot be written: {Reason(ex)}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Faults of the file system under the database, which go away by themselves or by an
    /// operator's hand (space freed, permissions or the mount fixed): a full disk, a read-only
    /// file or file system, an I/O error, a file that cannot be opened. Not corruption, and not
    /// programming errors such as constraint violations.
    /// </summary>
    internal static bool IsStorageFault(SqliteException ex) => ex.SqliteErrorCode is
        SQLitePCL.raw.SQLITE_FULL or SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_IOERR or
        SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_PERM;

    private static string Reason(SqliteException ex) => ex.SqliteErrorCode switch
    {
        SQLitePCL.raw.SQLITE_FULL => "the disk is full",
        SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_PERM => "the file is read-only",
        _ => "an I/O error",
    };

    /// <summary>The message of the last write that failed on a storage fault, until a write succeeds again.</summary>
    private volatile string? _fault;

    /// <summary>A cached command for <paramref name="sql"/> (SQLite keeps it prepared), emptied of parameters. Only with the gate held.</summary>
    internal SqliteCommand Command(string sql, SqliteTransaction? transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(sql, command);
        }
        command.Parameters.Clear();
        command.Transaction = transaction;
        return command;
    }
}
