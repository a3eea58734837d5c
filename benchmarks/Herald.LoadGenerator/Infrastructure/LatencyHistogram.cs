using System.Numerics;

namespace Herald.LoadGenerator.Infrastructure;

/// <summary>
/// A log-linear histogram of microsecond values (HdrHistogram's layout with 64 sub-buckets per
/// power of two: at most 1.6 % error), safe for concurrent recording without locks.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int HalfSubBuckets = SubBuckets / 2;
    private readonly long[] _counts = new long[HalfSubBuckets * 64];
    private long _count;
    private long _max;
    private long _sum;

    public long Count => Interlocked.Read(ref _count);

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, micros);
        var max = Volatile.Read(ref _max);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref _max, micros, max);
            if (seen == max)
            {
                break;
            }
            max = seen;
        }
    }

    public void Reset()
    {
        Array.Clear(_counts);
        Interlocked.Exchange(ref _count, 0);
        Interlocked.Exchange(ref _max, 0);
        Interlocked.Exchange(ref _sum, 0);
    }

    internal static int IndexOf(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }
        var shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - (SubBucketBits - 1);
        return (shift * HalfSubBuckets) + (int)(value >> shift);
    }

    /// <summary>The highest value that falls into a bucket (so percentiles never under-report).</summary>
    internal static long HighestOf(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }
        var shift = (index / HalfSubBuckets) - 1;
        var baseValue = (long)(index - (shift * HalfSubBuckets));
        return ((baseValue + 1) << shift) - 1;
    }

    /// <summary>The value at a percentile (0–100), in microseconds.</summary>
    public long Percentile(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }
        var rank = (long)Math.Ceiling(percentile / 100.0 * total);
        rank = Math.Clamp(rank, 1, total);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(HighestOf(i), Volatile.Read(ref _max));
            }
        }
        return Volatile.Read(ref _max);
    }

    public LatencySummary Summarize()
    {
        var count = Count;
        return new LatencySummary(
            count,
            Ms(Percentile(50)),
            Ms(Percentile(90)),
            Ms(Percentile(99)),
            Ms(Percentile(99.9)),
            Ms(Volatile.Read(ref _max)),
            count == 0 ? 0 : Math.Round(Interlocked.Read(ref _sum) / (double)count / 1000.0, 3));
    }

    private static double Ms(long micros) => Math.Round(micros / 1000.0, 3);
}

/// <summary>Latency figures in milliseconds.</summary>
public sealed record LatencySummary(long Count, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, double MeanMs)
{
    public override string ToString() => $"p50 {P50Ms:0.0} ms, p90 {P90Ms:0.0} ms, p99 {P99Ms:0.0} ms, max {MaxMs:0.0} ms";
}
