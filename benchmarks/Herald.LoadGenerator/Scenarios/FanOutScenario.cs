using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Targets;

namespace Herald.LoadGenerator.Scenarios;

/// <summary>
/// Fan-out: <c>--subscribers</c> (10 000) connections on one channel; the delivery rate is stepped
/// up through <c>--rates</c>. A step passes when p99 ≤ <c>--p99-limit-ms</c> (200) and nothing is
/// lost. The ladder goes on past failing steps, so that the throughput ceiling shows too, and stops
/// at the first loss, when the server delivers less than 95 % of the offered rate, when p99 exceeds
/// <c>--p99-stop-ms</c> (3000), or after <c>--max-failed-steps</c> (100) steps over the limit.
/// Headlines: the highest measured deliveries/s of a passing step, and the peak of any step.
/// </summary>
public sealed class FanOutScenario : Scenario
{
    private int _subscribers;
    private int[] _rates = [];
    private double _warmup;
    private double _measure;
    private double _p99Limit;
    private double _drain;
    private int _concurrency;
    private int _payload;
    private int _maxFailedSteps;
    private double _p99StopMs;

    public override string Name => "fanout";

    public override void Configure(Options options)
    {
        _subscribers = options.Int("subscribers", 10_000);
        _rates = options.Ints("rates", [10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 80_000, 100_000, 125_000, 150_000, 200_000, 250_000, 300_000, 400_000]);
        _warmup = options.Double("warmup", 5);
        _measure = options.Double("duration", 20);
        _p99Limit = options.Double("p99-limit-ms", 200);
        _drain = options.Double("drain", 10);
        _concurrency = options.Int("connect-concurrency", 64);
        _payload = options.Int("payload-bytes", 100);
        _maxFailedSteps = options.Int("max-failed-steps", 100);
        _p99StopMs = options.Double("p99-stop-ms", 3000);
    }

    public override async Task<ScenarioResult> RunAsync(ServerUnderTest server, CancellationToken cancellationToken)
    {
        var title = $"fanout {server.Settings.Name}";
        var run = await LoadRun.OpenAsync(server, title, _subscribers, 1, _concurrency, _ => [0], _payload, cancellationToken).ConfigureAwait(false);
        List<StepResult> steps;
        string? stoppedBecause;
        try
        {
            (steps, stoppedBecause) = await RunLadderAsync(run, title, _rates, _subscribers, _warmup, _measure, _drain, _p99Limit, _p99StopMs, _maxFailedSteps, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
        var passing = steps.Where(s => s.Latency.P99Ms <= _p99Limit && s.Lost == 0 && s.ConnectionsDropped == 0 && s.PublishFailed == 0).ToList();
        var best = passing.Count > 0 ? passing.Max(s => s.DeliveriesPerSecond) : 0;
        var peak = steps.Count > 0 ? steps.Max(s => s.DeliveriesPerSecond) : 0;
        var bestStep = passing.OrderByDescending(s => s.DeliveriesPerSecond).FirstOrDefault();
        var peakStep = steps.OrderByDescending(s => s.DeliveriesPerSecond).FirstOrDefault();
        return new ScenarioResult(Name, server.Settings.Name, server.Command,
            [
                new Headline("deliveries/s within p99 limit, no loss", best, "1/s", true, 150_000),
                new Headline("peak deliveries/s", peak, "1/s", true),
                new Headline("p99 at best step", bestStep?.Latency.P99Ms ?? double.NaN, "ms", false, _p99Limit),
                new Headline("server CPU per delivery at the peak step", peakStep is null || peakStep.DeliveriesPerSecond == 0 ? double.NaN : Math.Round(peakStep.ServerCores / peakStep.DeliveriesPerSecond * 1e6, 2), "µs", false),
                new Headline("generator CPU per delivery at the peak step", peakStep is null || peakStep.DeliveriesPerSecond == 0 ? double.NaN : Math.Round(peakStep.GeneratorCores / peakStep.DeliveriesPerSecond * 1e6, 2), "µs", false),
            ],
            new { subscribers = _subscribers, warmupSeconds = _warmup, measureSeconds = _measure, p99LimitMs = _p99Limit, payloadBytes = _payload, connect = run.Connect, stoppedBecause, droppedReasons = run.Recorder.LostReasons, steps });
    }

    /// <summary>
    /// The ladder: one measured step per rate of <paramref name="rates"/> (deliveries/s to
    /// <paramref name="subscribers"/> on channel 0), stopping as described above. Also the cluster's fan-out.
    /// </summary>
    public static async Task<(List<StepResult> Steps, string? StoppedBecause)> RunLadderAsync(LoadRun run, string title, int[] rates, int subscribers, double warmup, double measure,
        double drain, double p99Limit, double p99StopMs, int maxFailedSteps, CancellationToken cancellationToken)
    {
        var steps = new List<StepResult>();
        string? stoppedBecause = null;
        var failedSteps = 0;
        foreach (var deliveries in rates)
        {
            var rate = deliveries / (double)subscribers;
            run.Progress.Phase = $"step {deliveries}/s ({rate:0.#} pub/s)";
            var step = await run.RunMeasuredStepAsync(rate, warmup, measure, _ => 0, [subscribers], drain, cancellationToken).ConfigureAwait(false);
            steps.Add(step);
            await Console.Error.WriteLineAsync($"[{title}] step offered {deliveries}/s: delivered {step.DeliveriesPerSecond}/s, {step.Latency}, lost {step.Lost}, dropped conns {step.ConnectionsDropped}, server {step.ServerCores} cores, generator {step.GeneratorCores}, other {step.OtherProcessesCores}").ConfigureAwait(false);
            // Past the p99 limit the ladder goes on (so the throughput ceiling shows) until something is
            // lost, the server falls behind the offered rate, p99 runs away, or too many steps missed the limit.
            if (step.Lost > 0 || step.ConnectionsDropped > 0 || step.PublishFailed > 0)
            {
                stoppedBecause = step.PublishFailed > 0 && step.Lost == 0 && step.ConnectionsDropped == 0 ? "publish failures" : "loss";
                break;
            }
            if (step.DeliveriesPerSecond < 0.95 * step.OfferedDeliveriesPerSecond)
            {
                stoppedBecause = "saturated: delivered less than 95 % of the offered rate";
                break;
            }
            if (step.Latency.P99Ms > p99StopMs)
            {
                stoppedBecause = $"p99 > {p99StopMs} ms";
                break;
            }
            if (step.Latency.P99Ms > p99Limit && ++failedSteps >= maxFailedSteps)
            {
                stoppedBecause = $"{failedSteps} steps with p99 > {p99Limit} ms";
                break;
            }
        }
        return (steps, stoppedBecause);
    }
}
