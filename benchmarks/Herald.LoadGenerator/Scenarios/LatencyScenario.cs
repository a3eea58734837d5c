using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Targets;

namespace Herald.LoadGenerator.Scenarios;

/// <summary>
/// Latency at a fixed delivery rate: <c>--deliveries</c> (50 000/s) over <c>--subscribers</c>
/// (5 000) connections on one channel, held for <c>--duration</c> seconds after a warm-up.
/// </summary>
public sealed class LatencyScenario : Scenario
{
    private int _subscribers;
    private int _deliveries;
    private double _warmup;
    private double _measure;
    private double _drain;
    private int _concurrency;
    private int _payload;

    public override string Name => "latency";

    public override void Configure(Options options)
    {
        _subscribers = options.Int("subscribers", 5_000);
        _deliveries = options.Int("deliveries", 50_000);
        _warmup = options.Double("warmup", 5);
        _measure = options.Double("duration", 30);
        _drain = options.Double("drain", 15);
        _concurrency = options.Int("connect-concurrency", 64);
        _payload = options.Int("payload-bytes", 100);
    }

    public override async Task<ScenarioResult> RunAsync(ServerUnderTest server, CancellationToken cancellationToken)
    {
        var title = $"latency {server.Settings.Name}";
        var run = await LoadRun.OpenAsync(server, title, _subscribers, 1, _concurrency, _ => [0], _payload, cancellationToken).ConfigureAwait(false);
        StepResult step;
        try
        {
            var rate = _deliveries / (double)_subscribers;
            run.Progress.Phase = $"{_deliveries}/s ({rate:0.#} pub/s)";
            step = await run.RunMeasuredStepAsync(rate, _warmup, _measure, _ => 0, [_subscribers], _drain, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
        return new ScenarioResult(Name, server.Settings.Name, server.Command,
            [
                new Headline($"p99 at {_deliveries} deliveries/s", step.Latency.P99Ms, "ms", false, 75),
                new Headline("p50", step.Latency.P50Ms, "ms", false),
                new Headline("max", step.Latency.MaxMs, "ms", false),
                new Headline("deliveries/s measured", step.DeliveriesPerSecond, "1/s", true),
                new Headline("lost", step.Lost, "messages", false, 0),
                new Headline("server cores", step.ServerCores, "cores", false),
                new Headline("server CPU per delivery", step.DeliveriesPerSecond == 0 ? double.NaN : Math.Round(step.ServerCores / step.DeliveriesPerSecond * 1e6, 2), "µs", false),
                new Headline("other processes during the step", step.OtherProcessesCores, "cores", false),
            ],
            new { subscribers = _subscribers, deliveries = _deliveries, warmupSeconds = _warmup, measureSeconds = _measure, payloadBytes = _payload, connect = run.Connect, droppedReasons = run.Recorder.LostReasons, step });
    }
}
