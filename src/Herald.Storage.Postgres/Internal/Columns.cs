using Npgsql;
using NpgsqlTypes;

namespace Herald.Storage.Postgres.Internal;

/// <summary>
/// Positional parameters and column conversions shared by the stores' row mappers. Every
/// parameter carries its PostgreSQL type, so a NULL is typed too (an untyped NULL in
/// <c>INSERT … SELECT</c> would be taken for text).
/// </summary>
internal static class Columns
{
    public static void AddText(this NpgsqlParameterCollection parameters, string value) =>
        parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = value });

    public static void AddTextOrNull(this NpgsqlParameterCollection parameters, string? value) =>
        parameters.Add(value is null ? Null(NpgsqlDbType.Text) : new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text, TypedValue = value });

    public static void AddInteger(this NpgsqlParameterCollection parameters, int value) =>
        parameters.Add(new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer, TypedValue = value });

    public static void AddBigint(this NpgsqlParameterCollection parameters, long value) =>
        parameters.Add(new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = value });

    public static void AddBoolean(this NpgsqlParameterCollection parameters, bool value) =>
        parameters.Add(new NpgsqlParameter<bool> { NpgsqlDbType = NpgsqlDbType.Boolean, TypedValue = value });

    /// <summary>A time as <see cref="Time"/> ticks.</summary>
    public static void AddTime(this NpgsqlParameterCollection parameters, DateTimeOffset value) => parameters.AddBigint(Time(value));

    public static void AddTimeOrNull(this NpgsqlParameterCollection parameters, DateTimeOffset? value) =>
        parameters.Add(value is { } time ? new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint, TypedValue = Time(time) } : Null(NpgsqlDbType.Bigint));

    /// <summary>
    /// JSON bytes as <c>bytea</c>, written from the memory itself (a slice is not copied), or NULL
    /// when there are none (JSON that is "empty when none").
    /// </summary>
    public static void AddBytesOrNull(this NpgsqlParameterCollection parameters, ReadOnlyMemory<byte> value) =>
        parameters.Add(value.IsEmpty ? Null(NpgsqlDbType.Bytea) : new NpgsqlParameter<ReadOnlyMemory<byte>> { NpgsqlDbType = NpgsqlDbType.Bytea, TypedValue = value });

    public static ReadOnlyMemory<byte> ReadBytes(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? ReadOnlyMemory<byte>.Empty : reader.GetFieldValue<byte[]>(ordinal);

    public static string? ReadText(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>
    /// A time as Unix time in 100 ns ticks, as the SQLite stores keep it: exact for any
    /// <see cref="DateTimeOffset"/> (the instant, not the offset; times come back in UTC), and
    /// readable in SQL as <c>to_timestamp(created_at / 1e7)</c>.
    /// </summary>
    public static long Time(DateTimeOffset value) => value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    public static DateTimeOffset ReadTime(NpgsqlDataReader reader, int ordinal) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + reader.GetInt64(ordinal), TimeSpan.Zero);

    public static DateTimeOffset? ReadTimeOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);

    private static NpgsqlParameter Null(NpgsqlDbType type) => new() { NpgsqlDbType = type, Value = DBNull.Value };
}
