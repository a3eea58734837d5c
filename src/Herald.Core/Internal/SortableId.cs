using System.Security.Cryptography;

namespace Herald.Core.Internal;

/// <summary>
/// Ids that sort by creation: a strictly increasing 100 ns timestamp (unique within the process,
/// even for ids made in the same tick) then random bits (unique across nodes). Thread-safe.
/// </summary>
internal static class SortableId
{
    private static long s_last;

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
