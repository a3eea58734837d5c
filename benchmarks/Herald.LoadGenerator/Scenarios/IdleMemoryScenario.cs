using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Targets;

namespace Herald.LoadGenerator.Scenarios;

/// <summary>
/// Idle memory: connections (each authenticated and subscribed to a channel of its own, heartbeats
/// on) are added up to each of <c>--levels</c>; after <c>--settle</c> seconds at a level the
/// server's RSS and managed heap are sampled. Memory per connection is the least-squares slope
/// over the levels, so the fixed cost of the process drops out.
/// </summary>
public sealed class IdleMemoryScenario : Scenario
{
    private int[] _levels = [];
    private double _settle;
    private int _concurrency;
    private bool _census;

    public override string Name => "idle";

    /// <summary>One level: memory as found (garbage included) and after a forced full GC (what the connections retain).</summary>
    public sealed record Level(int Connections, int Open, long RssBytes, long? HeapBytes, long RssAfterGcBytes, long? HeapAfterGcBytes, bool GcForced, double ServerCoresWhileIdle, ConnectStats Connect);

    public override void Configure(Options options)
    {
        _levels = options.Ints("levels", [2_500, 5_000, 10_000, 15_000, 19_000]);
        _settle = options.Double("settle", 15);
        _concurrency = options.Int("connect-concurrency", 64);
        _census = !options.Flag("no-heap-census");
    }

    public override async Task<ScenarioResult> RunAsync(ServerUnderTest server, CancellationToken cancellationToken)
    {
        var title = $"idle {server.Settings.Name}";
        // One descriptor per connection in the generator and one in the server, plus some slack for each process.
        var limit = OpenFiles.Current - 200;
        var levels = _levels.Where(l => l <= limit).Order().ToArray();
        var skipped = _levels.Where(l => l > limit).ToArray();
        if (skipped.Length > 0)
        {
            await Console.Error.WriteLineAsync($"[{title}] skipping levels {string.Join(", ", skipped)}: the open-files limit is {OpenFiles.Describe()} (one descriptor per connection on each side)").ConfigureAwait(false);
        }
        var recorder = new DeliveryRecorder();
        var pool = new ConnectionPool(server.ConnectSpec, recorder);
        var progress = new Progress(title, server, recorder, () => pool, () => null);
        var results = new List<Level>();
        HeapCensus.Result? census = null;
        long baselineRss;
        long? baselineHeap;
        try
        {
            progress.Phase = "baseline";
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            await server.CollectGarbageAsync(cancellationToken).ConfigureAwait(false);
            (baselineRss, baselineHeap, _) = await SampleAsync(server, cancellationToken).ConfigureAwait(false);
            foreach (var level in levels)
            {
                progress.Phase = $"connecting to {level}";
                var connect = await pool.OpenAsync(level, _concurrency, i => [i], TimeSpan.FromSeconds(180), cancellationToken).ConfigureAwait(false);
                progress.Phase = $"idle at {level}";
                await Task.Delay(TimeSpan.FromSeconds(_settle), cancellationToken).ConfigureAwait(false);
                // Memory does not depend on other processes, but the idle CPU reading does.
                await QuietGate.WaitAsync(server.Pid, server.Settings.QuietMaxOtherCores, TimeSpan.FromSeconds(15), title, cancellationToken).ConfigureAwait(false);
                var (rss, heap, cores) = await SampleAsync(server, cancellationToken).ConfigureAwait(false);
                var forced = await server.CollectGarbageAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(2000, cancellationToken).ConfigureAwait(false);
                var (rssGc, heapGc, _) = await SampleAsync(server, cancellationToken).ConfigureAwait(false);
                var open = pool.OpenConnections();
                results.Add(new Level(level, open, rss, heap, rssGc, heapGc, forced, cores, connect));
                await Console.Error.WriteLineAsync($"[{title}] {level} connections ({open} open): RSS {rss / 1048576.0:0.0} MiB, heap {(heap ?? 0) / 1048576.0:0.0} MiB; after a full GC: RSS {rssGc / 1048576.0:0.0} MiB, heap {(heapGc ?? 0) / 1048576.0:0.0} MiB; {cores:0.000} cores idle").ConfigureAwait(false);
                if (_census && level == levels[^1] && server.Settings.Kind == TargetKind.Herald && server.Pid is { } pid)
                {
                    // After the full GC above: what the heap holds per connection, type by type.
                    progress.Phase = "heap census";
                    try
                    {
                        census = await HeapCensus.TakeInChildAsync(pid, open, cancellationToken).ConfigureAwait(false)
                            ?? throw new InvalidOperationException("the heap-census process failed");
                        foreach (var t in census.Top.Take(15))
                        {
                            await Console.Error.WriteLineAsync($"[{title}]   {t.BytesPerConnection,8:0} B/conn {t.CountPerConnection,6:0.00}×  {t.Type}").ConfigureAwait(false);
                        }
                        foreach (var z in census.Sizes.Take(6))
                        {
                            await Console.Error.WriteLineAsync($"[{title}]   {z.Size,8} B each {z.CountPerConnection,6:0.00}×/conn  {z.Type}").ConfigureAwait(false);
                        }
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Text.Json.JsonException)
                    {
                        await Console.Error.WriteLineAsync($"[{title}] heap census failed: {ex.Message}").ConfigureAwait(false);
                    }
                }
                if (open < level * 0.99)
                {
                    await Console.Error.WriteLineAsync($"[{title}] stopping: only {open} of {level} connections are open").ConfigureAwait(false);
                    break;
                }
            }
        }
        finally
        {
            await progress.DisposeAsync().ConfigureAwait(false);
            pool.AbortAll();
        }
        var rssSlope = Slope(results.Select(r => ((double)r.Connections, (double)r.RssAfterGcBytes)).ToArray());
        var heapSlope = results.All(r => r.HeapAfterGcBytes is not null) ? Slope(results.Select(r => ((double)r.Connections, (double)r.HeapAfterGcBytes!.Value)).ToArray()) : double.NaN;
        var rssSlopeAsFound = Slope(results.Select(r => ((double)r.Connections, (double)r.RssBytes)).ToArray());
        return new ScenarioResult(Name, server.Settings.Name, server.Command,
            [
                new Headline("server RSS per idle connection (slope, after full GC)", Math.Round(rssSlope / 1024, 2), "KiB", false, 16),
                new Headline("managed heap per idle connection (slope, after full GC)", Math.Round(heapSlope / 1024, 2), "KiB", false),
                new Headline("server RSS per idle connection (slope, as found)", Math.Round(rssSlopeAsFound / 1024, 2), "KiB", false),
                new Headline("largest level held", results.Count > 0 ? results[^1].Open : 0, "connections", true),
            ],
            new { settleSeconds = _settle, heartbeatSeconds = server.Settings.HeartbeatSeconds, baselineRss, baselineHeap, skippedLevels = skipped, openFilesLimit = OpenFiles.Describe(), levels = results, heapCensus = census, droppedReasons = recorder.LostReasons });
    }

    /// <summary>Samples RSS three times a second apart (and the heap once); returns the mean RSS and the CPU used meanwhile.</summary>
    private static async Task<(long Rss, long? Heap, double Cores)> SampleAsync(ServerUnderTest server, CancellationToken cancellationToken)
    {
        var samples = new List<ProcessSample>();
        for (var i = 0; i < 3; i++)
        {
            if (server.Sample() is { } s)
            {
                samples.Add(s);
            }
            await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
        }
        var heap = await server.ReadHeapAsync(cancellationToken).ConfigureAwait(false);
        var rss = samples.Count == 0 ? 0 : (long)samples.Average(s => s.RssBytes);
        var cores = samples.Count < 2 ? double.NaN : ProcessSample.CoresBetween(samples[0], samples[^1]);
        return (rss, heap, Math.Round(cores, 4));
    }

    /// <summary>Least-squares slope of y over x.</summary>
    private static double Slope((double X, double Y)[] points)
    {
        if (points.Length < 2)
        {
            return points.Length == 1 ? points[0].Y / points[0].X : double.NaN;
        }
        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var num = points.Sum(p => (p.X - mx) * (p.Y - my));
        var den = points.Sum(p => (p.X - mx) * (p.X - mx));
        return num / den;
    }
}
