using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Targets;

namespace Herald.LoadGenerator.Scenarios;

/// <summary>
/// Many channels: <c>--connections</c> (10 000) with <c>--per-connection</c> (10) channels each out
/// of <c>--channels</c> (10 000), so every channel has connections × per-connection / channels
/// subscribers (10); <c>--rate</c> (1 000) publications per second go round-robin over the channels.
/// </summary>
public sealed class ManyChannelsScenario : Scenario
{
    private int _connections;
    private int _perConnection;
    private int _channels;
    private double _rate;
    private double _warmup;
    private double _measure;
    private double _drain;
    private int _concurrency;
    private int _payload;

    public override string Name => "channels";

    public override void Configure(Options options)
    {
        _connections = options.Int("connections", 10_000);
        _perConnection = options.Int("per-connection", 10);
        _channels = options.Int("channels", 10_000);
        _rate = options.Double("rate", 1_000);
        _warmup = options.Double("warmup", 5);
        _measure = options.Double("duration", 25);
        _drain = options.Double("drain", 10);
        _concurrency = options.Int("connect-concurrency", 64);
        _payload = options.Int("payload-bytes", 100);
    }

    public override async Task<ScenarioResult> RunAsync(ServerUnderTest server, CancellationToken cancellationToken)
    {
        var title = $"channels {server.Settings.Name}";
        var stride = Math.Max(1, _channels / _perConnection);
        int[] ChannelsFor(int i) => Enumerable.Range(0, _perConnection).Select(k => (i + (k * stride)) % _channels).Distinct().ToArray();
        var subscribers = LoadRun.Counts(_channels, _connections, ChannelsFor);
        var run = await LoadRun.OpenAsync(server, title, _connections, _channels, _concurrency, ChannelsFor, _payload, cancellationToken).ConfigureAwait(false);
        StepResult step;
        try
        {
            run.Progress.Phase = $"{_rate} pub/s over {_channels} channels";
            step = await run.RunMeasuredStepAsync(_rate, _warmup, _measure, i => (int)(i % _channels), subscribers, _drain, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
        return new ScenarioResult(Name, server.Settings.Name, server.Command,
            [
                new Headline("deliveries/s measured", step.DeliveriesPerSecond, "1/s", true),
                new Headline("p99", step.Latency.P99Ms, "ms", false),
                new Headline("publish request p99", step.PublishRequest.P99Ms, "ms", false),
                new Headline("lost", step.Lost, "messages", false, 0),
                new Headline("server cores", step.ServerCores, "cores", false),
                new Headline("server CPU per delivery", step.DeliveriesPerSecond == 0 ? double.NaN : Math.Round(step.ServerCores / step.DeliveriesPerSecond * 1e6, 2), "µs", false),
                new Headline("other processes during the step", step.OtherProcessesCores, "cores", false),
                new Headline("server RSS", Math.Round(step.ServerRssBytes / 1048576.0, 1), "MiB", false),
            ],
            new { connections = _connections, perConnection = _perConnection, channels = _channels, subscribersPerChannel = subscribers.Average(), rate = _rate, warmupSeconds = _warmup, measureSeconds = _measure, connect = run.Connect, droppedReasons = run.Recorder.LostReasons, step });
    }
}
