using System.Security.Cryptography;
using Herald.Messages;

namespace Herald.Core.Internal;

/// <summary>
/// The one generator of Herald's ids, all sortable by creation time. Two visible forms, kept
/// because clients see them: <see cref="Next(string)"/> for stored records (operations
/// <c>op_…</c>, notifications <c>n_…</c>: the prefix, a strictly increasing 100 ns timestamp,
/// unique within the process even for ids made in the same tick, then random bits, unique
/// across nodes) and <see cref="NextHex32"/> for publications and connections (32 lowercase hex
/// digits, a UUIDv7: millisecond timestamp then random bits). Thread-safe.
/// </summary>
internal static class SortableId
{
    private static long s_last;

    /// <summary>
    /// A UUIDv7 as 32 lowercase hex digits: sortable by millisecond, unique across nodes with high
    /// probability. The expression itself lives in <see cref="Publication.NewId"/>, the public
    /// entry point beside the message type, so that there is one copy of it.
    /// </summary>
    public static string NextHex32() => Publication.NewId();

    /// <summary>The prefix, 16 hex digits of strictly increasing ticks, then 8 random hex digits.</summary>
    public static string Next(string prefix)
    {
        long ticks;
        long last;
        do
        {
            last = Volatile.Read(ref s_last);
            ticks = Math.Max(DateTime.UtcNow.Ticks, last + 1);
        }
        while (Interlocked.CompareExchange(ref s_last, ticks, last) != last);
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        return $"{prefix}{ticks:x16}{Convert.ToHexStringLower(random)}";
    }
}
