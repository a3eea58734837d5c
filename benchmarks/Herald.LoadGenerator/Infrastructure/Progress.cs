using System.Globalization;
using Herald.LoadGenerator.Targets;

namespace Herald.LoadGenerator.Infrastructure;

/// <summary>One status line per second on stderr while a scenario runs (plain lines: they survive tee and logs).</summary>
public sealed class Progress : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile string _phase = "starting";

    public Progress(string title, ServerUnderTest server, DeliveryRecorder recorder, Func<ConnectionPool?> pool, Func<Publisher?> publisher)
        : this(title, server.Sample, recorder, pool, publisher)
    {
    }

    /// <summary><paramref name="sample"/> reads the servers under test (the nodes of a cluster: their sum).</summary>
    public Progress(string title, Func<ProcessSample?> sample, DeliveryRecorder recorder, Func<ConnectionPool?> pool, Func<Publisher?> publisher)
    {
        _loop = Task.Run(async () =>
        {
            var lastDelivered = recorder.UniqueDelivered;
            var lastSent = 0L;
            var lastSample = sample();
            var started = Clock.NowMicros;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    var delivered = recorder.UniqueDelivered;
                    var sent = publisher()?.Sent ?? 0;
                    var current = sample();
                    var cores = current is { } s && lastSample is { } l ? ProcessSample.CoresBetween(l, s) : double.NaN;
                    var line = string.Create(CultureInfo.InvariantCulture,
                        $"[{title}] {(Clock.NowMicros - started) / 1e6,6:0}s {_phase,-28} conns {pool()?.Count ?? 0,6} deliv/s {delivered - lastDelivered,8} pub/s {sent - lastSent,6} in-flight {publisher()?.InFlight ?? 0,4} dropped-conns {recorder.ConnectionsLost,4} server {cores,4:0.00} cores {(current?.RssBytes ?? 0) / 1048576.0,7:0.0} MiB");
                    await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
                    lastDelivered = delivered;
                    lastSent = sent;
                    lastSample = current;
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public string Phase
    {
        set => _phase = value;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
