using Npgsql;

namespace Herald.Specification.Tests.Infrastructure;

/// <summary>Raw access to a test database, on a connection of its own, as another process would have.</summary>
internal static class PostgresSql
{
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().Bounded();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync().Bounded();
    }

    /// <summary>Every row of <paramref name="sql"/>'s first two columns.</summary>
    public static async Task<List<(object First, object Second)>> PairsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync().Bounded();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync().Bounded();
        var rows = new List<(object, object)>();
        while (await reader.ReadAsync().Bounded())
        {
            rows.Add((reader.GetValue(0), reader.GetValue(1)));
        }
        return rows;
    }
}
