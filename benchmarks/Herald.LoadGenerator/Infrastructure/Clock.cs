using System.Diagnostics;

namespace Herald.LoadGenerator.Infrastructure;

/// <summary>Monotonic microseconds since the generator started; the same clock stamps and receives publications.</summary>
public static class Clock
{
    private static readonly long s_start = Stopwatch.GetTimestamp();

    public static long NowMicros => (Stopwatch.GetTimestamp() - s_start) * 1_000_000 / Stopwatch.Frequency;

    public static long ToMicros(TimeSpan span) => span.Ticks / 10;

    /// <summary>Waits until a point of this clock; sleeps while far, yields the last millisecond.</summary>
    public static async ValueTask WaitUntilAsync(long micros, CancellationToken cancellationToken)
    {
        while (true)
        {
            var remaining = micros - NowMicros;
            if (remaining <= 0)
            {
                return;
            }
            if (remaining > 2000)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(remaining - 1000), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Task.Yield();
            }
        }
    }
}
