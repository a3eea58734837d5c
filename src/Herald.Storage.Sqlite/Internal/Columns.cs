using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite.Internal;

/// <summary>Column conversions shared by the stores' row mappers.</summary>
internal static class Columns
{
    /// <summary>Bytes as a blob, without a copy when they already are a whole array.</summary>
    public static byte[] Blob(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : data.ToArray();

    /// <summary>Bytes as a blob, or NULL when there are none (JSON that is "empty when none").</summary>
    public static object BlobOrNull(ReadOnlyMemory<byte> data) => data.IsEmpty ? DBNull.Value : Blob(data);

    public static ReadOnlyMemory<byte> ReadBlob(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? ReadOnlyMemory<byte>.Empty : (byte[])reader.GetValue(ordinal);

    public static object TextOrNull(string? value) => (object?)value ?? DBNull.Value;

    public static string? ReadText(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>
    /// A time as Unix time in 100 ns ticks: exact for any <see cref="DateTimeOffset"/> (the instant,
    /// not the offset; times come back in UTC), and still readable by SQLite's date functions
    /// after a division by 10,000,000.
    /// </summary>
    public static long Time(DateTimeOffset value) => value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    public static object TimeOrNull(DateTimeOffset? value) => value is { } time ? Time(time) : DBNull.Value;

    public static DateTimeOffset ReadTime(SqliteDataReader reader, int ordinal) =>
        new(DateTimeOffset.UnixEpoch.UtcTicks + reader.GetInt64(ordinal), TimeSpan.Zero);

    public static DateTimeOffset? ReadTimeOrNull(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadTime(reader, ordinal);
}
