using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Targets;

namespace Herald.LoadGenerator.Scenarios;

/// <summary>
/// Connect rate: <c>--connections</c> (10 000) full handshakes — TCP connect, HTTP upgrade, token
/// validation and the protocol's own handshake (native <c>connected</c>; Engine.IO open, <c>40</c>
/// auth and <c>40{sid}</c>) — <c>--concurrency</c> (64) at a time, after a warm-up of
/// <c>--warmup-connections</c> (1 000) that are closed again. Connections stay open until the end.
/// </summary>
public sealed class ConnectRateScenario : Scenario
{
    private int _connections;
    private int _concurrency;
    private int _warmupConnections;

    public override string Name => "connect";

    public override void Configure(Options options)
    {
        _connections = options.Int("connections", 10_000);
        _concurrency = options.Int("concurrency", 64);
        _warmupConnections = options.Int("warmup-connections", 1_000);
    }

    public override async Task<ScenarioResult> RunAsync(ServerUnderTest server, CancellationToken cancellationToken)
    {
        var title = $"connect {server.Settings.Name}";
        var recorder = new DeliveryRecorder();
        ConnectStats warmup, measured;
        ProcessSample? before, after;
        object? quiet = null;
        double generatorCores = double.NaN, otherCores = double.NaN;
        var pool = new ConnectionPool(server.ConnectSpec, recorder);
        var progress = new Progress(title, server, recorder, () => pool, () => null);
        try
        {
            progress.Phase = "warm-up";
            warmup = await pool.OpenAsync(_warmupConnections, _concurrency, _ => [], TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            pool.AbortAll();
            await Task.Delay(2000, cancellationToken).ConfigureAwait(false);
            // New source addresses for the measured round: the warm-up's closed ports sit in TIME_WAIT.
            var spec = server.ConnectSpec;
            pool = new ConnectionPool(spec with { Sources = spec.Sources.Reverse().ToArray() }, recorder);
            var (otherBefore, waited) = await QuietGate.WaitAsync(server.Pid, server.Settings.QuietMaxOtherCores, TimeSpan.FromSeconds(server.Settings.QuietMaxWaitSeconds), title, cancellationToken).ConfigureAwait(false);
            quiet = new { otherCoresBefore = otherBefore, waitedSeconds = waited };
            progress.Phase = $"{_connections} handshakes";
            var machineBefore = SystemCpu.Read();
            var selfBefore = Environment.CpuUsage.TotalTime.TotalSeconds;
            before = server.Sample();
            measured = await pool.OpenAsync(_connections, _concurrency, _ => [], TimeSpan.FromSeconds(120), cancellationToken).ConfigureAwait(false);
            after = server.Sample();
            var machineAfter = SystemCpu.Read();
            generatorCores = (Environment.CpuUsage.TotalTime.TotalSeconds - selfBefore) / measured.Seconds;
            otherCores = (machineAfter.BusySeconds - machineBefore.BusySeconds) / measured.Seconds - generatorCores - (before is { } b0 && after is { } a0 ? ProcessSample.CoresBetween(b0, a0) : 0);
            await Console.Error.WriteLineAsync($"[{title}] {measured.Opened} handshakes in {measured.Seconds} s: {measured.PerSecond}/s, handshake {measured.Handshake}, failed {measured.Failed} {measured.FirstError}").ConfigureAwait(false);
        }
        finally
        {
            await progress.DisposeAsync().ConfigureAwait(false);
            pool.AbortAll();
        }
        var cores = before is { } b && after is { } a ? ProcessSample.CoresBetween(b, a) : double.NaN;
        return new ScenarioResult(Name, server.Settings.Name, server.Command,
            [
                new Headline("full handshakes/s", measured.PerSecond, "1/s", true, 5_000),
                new Headline("handshake p99", measured.Handshake.P99Ms, "ms", false),
                new Headline("server cores during connects", Math.Round(cores, 3), "cores", false),
                new Headline("server CPU per handshake", measured.PerSecond == 0 ? double.NaN : Math.Round(cores / measured.PerSecond * 1e6, 1), "µs", false),
                new Headline("other processes during connects", Math.Round(otherCores, 3), "cores", false),
            ],
            new { connections = _connections, concurrency = _concurrency, warmup, measured, serverCores = cores, generatorCores = Math.Round(generatorCores, 3), otherProcessesCores = Math.Round(otherCores, 3), quiet, serverRssAfter = after?.RssBytes });
    }
}
