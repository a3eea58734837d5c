using Herald.Core.Operations;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite.Internal;

/// <summary>Turns operations into the parameters of <see cref="Schema.OperationsTable"/> and its rows back into operations.</summary>
internal static class OperationRows
{
    /// <summary>Binds every column of <paramref name="operation"/> to its <c>$column</c> parameter.</summary>
    public static void Bind(SqliteParameterCollection parameters, Operation operation)
    {
        parameters.AddWithValue("$id", operation.Id);
        parameters.AddWithValue("$org_id", operation.OrgId);
        parameters.AddWithValue("$type", operation.Type);
        parameters.AddWithValue("$resource", operation.Resource);
        parameters.AddWithValue("$status", operation.Status.ToWire());
        parameters.AddWithValue("$progress", operation.Progress);
        parameters.AddWithValue("$message", Columns.TextOrNull(operation.Message));
        parameters.AddWithValue("$error", Columns.TextOrNull(operation.Error));
        parameters.Add("$parameters", SqliteType.Blob).Value = Columns.BlobOrNull(operation.Parameters);
        parameters.Add("$result", SqliteType.Blob).Value = Columns.BlobOrNull(operation.Result);
        parameters.AddWithValue("$created_by", operation.CreatedBy);
        parameters.AddWithValue("$created_at", Columns.Time(operation.CreatedAt));
        parameters.AddWithValue("$updated_at", Columns.Time(operation.UpdatedAt));
        parameters.AddWithValue("$completed_at", Columns.TimeOrNull(operation.CompletedAt));
        parameters.AddWithValue("$attempt", operation.Attempt);
        parameters.AddWithValue("$retry_of", Columns.TextOrNull(operation.RetryOf));
        parameters.AddWithValue("$idempotency_key", Columns.TextOrNull(operation.IdempotencyKey));
        parameters.AddWithValue("$cancel_requested", operation.CancelRequested ? 1 : 0);
        parameters.AddWithValue("$version", operation.Version);
    }

    /// <summary>Reads a row of the columns of <see cref="Schema.OperationsTable"/>'s selects.</summary>
    public static Operation Read(SqliteDataReader reader)
    {
        var id = reader.GetString(0);
        var status = reader.GetString(4);
        return new Operation
        {
            Id = id,
            OrgId = reader.GetString(1),
            Type = reader.GetString(2),
            Resource = reader.GetString(3),
            Status = OperationStatuses.TryParse(status, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"Operation '{id}' has the unknown status '{status}' in the SQLite database."),
            Progress = reader.GetInt32(5),
            Message = Columns.ReadText(reader, 6),
            Error = Columns.ReadText(reader, 7),
            Parameters = Columns.ReadBlob(reader, 8),
            Result = Columns.ReadBlob(reader, 9),
            CreatedBy = reader.GetString(10),
            CreatedAt = Columns.ReadTime(reader, 11),
            UpdatedAt = Columns.ReadTime(reader, 12),
            CompletedAt = Columns.ReadTimeOrNull(reader, 13),
            Attempt = reader.GetInt32(14),
            RetryOf = Columns.ReadText(reader, 15),
            IdempotencyKey = Columns.ReadText(reader, 16),
            CancelRequested = reader.GetInt64(17) != 0,
            Version = reader.GetInt64(18),
        };
    }

    /// <summary>Runs a select and reads every row.</summary>
    public static async ValueTask<List<Operation>> ReadAllAsync(SqliteCommand select, CancellationToken cancellationToken)
    {
        var operations = new List<Operation>();
        using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            operations.Add(Read(reader));
        }
        return operations;
    }

    /// <summary>Runs a select and reads its first row, if any.</summary>
    public static async ValueTask<Operation?> ReadFirstAsync(SqliteCommand select, CancellationToken cancellationToken)
    {
        using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }
}
