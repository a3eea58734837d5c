using Herald.Core.Operations;
using Npgsql;

namespace Herald.Storage.Postgres.Internal;

/// <summary>Turns operations into the parameters of <see cref="Schema.OperationsTable"/> and its rows back into operations.</summary>
internal static class OperationRows
{
    /// <summary>Binds every column of <paramref name="operation"/> as $1–$19, in the order of the table's columns.</summary>
    public static void Bind(NpgsqlParameterCollection parameters, Operation operation)
    {
        parameters.AddText(operation.Id);
        parameters.AddText(operation.OrgId);
        parameters.AddText(operation.Type);
        parameters.AddText(operation.Resource);
        parameters.AddText(operation.Status.ToWire());
        parameters.AddInteger(operation.Progress);
        parameters.AddTextOrNull(operation.Message);
        parameters.AddTextOrNull(operation.Error);
        parameters.AddBytesOrNull(operation.Parameters);
        parameters.AddBytesOrNull(operation.Result);
        parameters.AddText(operation.CreatedBy);
        parameters.AddTime(operation.CreatedAt);
        parameters.AddTime(operation.UpdatedAt);
        parameters.AddTimeOrNull(operation.CompletedAt);
        parameters.AddInteger(operation.Attempt);
        parameters.AddTextOrNull(operation.RetryOf);
        parameters.AddTextOrNull(operation.IdempotencyKey);
        parameters.AddBoolean(operation.CancelRequested);
        parameters.AddBigint(operation.Version);
    }

    /// <summary>Reads the columns of <see cref="Schema.OperationsTable"/>'s selects, starting at <paramref name="first"/>.</summary>
    public static Operation Read(NpgsqlDataReader reader, int first = 0)
    {
        var id = reader.GetString(first);
        var status = reader.GetString(first + 4);
        return new Operation
        {
            Id = id,
            OrgId = reader.GetString(first + 1),
            Type = reader.GetString(first + 2),
            Resource = reader.GetString(first + 3),
            Status = OperationStatuses.TryParse(status, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"Operation '{id}' has the unknown status '{status}' in the PostgreSQL database."),
            Progress = reader.GetInt32(first + 5),
            Message = Columns.ReadText(reader, first + 6),
            Error = Columns.ReadText(reader, first + 7),
            Parameters = Columns.ReadBytes(reader, first + 8),
            Result = Columns.ReadBytes(reader, first + 9),
            CreatedBy = reader.GetString(first + 10),
            CreatedAt = Columns.ReadTime(reader, first + 11),
            UpdatedAt = Columns.ReadTime(reader, first + 12),
            CompletedAt = Columns.ReadTimeOrNull(reader, first + 13),
            Attempt = reader.GetInt32(first + 14),
            RetryOf = Columns.ReadText(reader, first + 15),
            IdempotencyKey = Columns.ReadText(reader, first + 16),
            CancelRequested = reader.GetBoolean(first + 17),
            Version = reader.GetInt64(first + 18),
        };
    }

    /// <summary>Runs a select and reads every row.</summary>
    public static async ValueTask<List<Operation>> ReadAllAsync(NpgsqlCommand select, CancellationToken cancellationToken)
    {
        var operations = new List<Operation>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            operations.Add(Read(reader));
        }
        return operations;
    }
}
