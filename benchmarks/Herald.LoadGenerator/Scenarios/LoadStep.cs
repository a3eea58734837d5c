using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Targets;

namespace Herald.LoadGenerator.Scenarios;

/// <summary>The figures of one load step (one publication rate held for warm-up + measurement).</summary>
public sealed record StepResult(
    double OfferedPublicationsPerSecond,
    double OfferedDeliveriesPerSecond,
    double DeliveriesPerSecond,
    LatencySummary Latency,
    long Published,
    long PublishFailed,
    string? PublishError,
    LatencySummary PublishRequest,
    long ExpectedDeliveries,
    long Delivered,
    long Lost,
    long Duplicates,
    long ConnectionsDropped,
    bool Drained,
    double ServerCores,
    double ServerCpuSeconds,
    double GeneratorCores,
    double MachineBusyCores,
    double OtherProcessesCores,
    long ServerRssBytes,
    long? ServerHeapBytes)
{
    /// <summary>Other processes' cores before the step (the quiet gate's last reading) and the seconds waited for quiet.</summary>
    public double OtherCoresBefore { get; init; }

    public double QuietWaitSeconds { get; init; }

    /// <summary>1 when the step ran once; 2 when it was run again because other processes took too much of the machine.</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>Publications answered 2xx per second of the measured window.</summary>
    public double AcceptedPerSecond { get; init; }

    /// <summary>Cores of each node of a cluster (their sum is <see cref="ServerCores"/>); null for one server without a database.</summary>
    public double[]? NodeCores { get; init; }

    /// <summary>Cores of the database's processes (PostgreSQL: the postmaster and its backends), when there is one.</summary>
    public double? DatabaseCores { get; init; }
}

/// <summary>Everything a load scenario runs with.</summary>
/// <remarks>
/// One server, or the nodes of a cluster (<see cref="Nodes"/>; <see cref="Server"/> is the first)
/// with their database's processes (<see cref="Database"/>): a step then reports the nodes' CPU
/// summed in <see cref="StepResult.ServerCores"/>, per node in <see cref="StepResult.NodeCores"/>,
/// and the database's apart.
/// </remarks>
public sealed class LoadRun(IReadOnlyList<ServerUnderTest> nodes, ProcessTree? database, DeliveryRecorder recorder, ConnectionPool pool, Publisher publisher, Progress progress)
{
    public LoadRun(ServerUnderTest server, DeliveryRecorder recorder, ConnectionPool pool, Publisher publisher, Progress progress)
        : this([server], null, recorder, pool, publisher, progress)
    {
    }

    public ServerUnderTest Server => nodes[0];
    public IReadOnlyList<ServerUnderTest> Nodes => nodes;
    public ProcessTree? Database => database;
    public DeliveryRecorder Recorder => recorder;
    public ConnectionPool Pool => pool;
    public Publisher Publisher => publisher;
    public Progress Progress => progress;

    /// <summary>CPU seconds of everything under test: the nodes and the database.</summary>
    private double MeasuredCpuSeconds() => nodes.Sum(n => n.Sample()?.CpuSeconds ?? 0) + (database?.Sample()?.CpuSeconds ?? 0);

    /// <summary>The nodes' RSS and CPU summed (progress lines).</summary>
    public static ProcessSample? SumOf(IReadOnlyList<ServerUnderTest> nodes)
    {
        var samples = nodes.Select(n => n.Sample()).ToArray();
        return samples.Any(s => s is null) ? null
            : new ProcessSample(samples.Sum(s => s!.Value.RssBytes), samples.Sum(s => s!.Value.CpuSeconds), samples.Sum(s => s!.Value.Threads), Clock.NowMicros);
    }

    /// <summary>
    /// Runs a step once the machine is quiet; runs it once more when other processes took more than
    /// twice the quiet threshold while it was measured (the second result is kept either way).
    /// </summary>
    public async Task<StepResult> RunMeasuredStepAsync(double rate, double warmupSeconds, double measureSeconds, Func<long, int> channelFor,
        int[] subscribersPerChannel, double drainSeconds, CancellationToken cancellationToken, int closedLoopConcurrency = 0)
    {
        var settings = Server.Settings;
        StepResult? step = null;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var (other, waited) = await QuietGate.WaitAsync(MeasuredCpuSeconds, settings.QuietMaxOtherCores, TimeSpan.FromSeconds(settings.QuietMaxWaitSeconds), "quiet gate", cancellationToken).ConfigureAwait(false);
            step = await RunStepAsync(rate, warmupSeconds, measureSeconds, channelFor, subscribersPerChannel, drainSeconds, cancellationToken, closedLoopConcurrency).ConfigureAwait(false);
            step = step with { OtherCoresBefore = other, QuietWaitSeconds = waited, Attempts = attempt };
            if (step.OtherProcessesCores <= 2 * settings.QuietMaxOtherCores || step.ConnectionsDropped > 0)
            {
                break;
            }
            await Console.Error.WriteLineAsync($"[quiet gate] other processes used {step.OtherProcessesCores:0.00} cores during the step: running it again").ConfigureAwait(false);
        }
        return step!;
    }

    /// <summary>
    /// Publishes at <paramref name="rate"/> per second for warm-up + measurement, measures the
    /// steady-state window, then waits (at most <paramref name="drainSeconds"/>) for every expected
    /// delivery: what has not arrived by then is lost. With <paramref name="closedLoopConcurrency"/>
    /// above 0 the publisher runs closed loop instead (<see cref="Publisher.RunClosedLoopAsync"/>,
    /// <paramref name="rate"/> unused): the step measures how many publications the server accepts.
    /// </summary>
    public async Task<StepResult> RunStepAsync(double rate, double warmupSeconds, double measureSeconds, Func<long, int> channelFor,
        int[] subscribersPerChannel, double drainSeconds, CancellationToken cancellationToken, int closedLoopConcurrency = 0)
    {
        var start = Clock.NowMicros + 200_000;
        var measureFrom = start + (long)(warmupSeconds * 1e6);
        var end = measureFrom + (long)(measureSeconds * 1e6);
        recorder.StartWindow(measureFrom, measureFrom, end);
        var acceptedBefore = Enumerable.Range(0, subscribersPerChannel.Length).Select(publisher.AcceptedOn).ToArray();
        var deliveredBefore = recorder.UniqueDelivered;
        var duplicatesBefore = recorder.Duplicates;
        var droppedBefore = recorder.ConnectionsLost;
        var failedBefore = publisher.Failed;
        var sentBefore = publisher.Sent;
        publisher.RequestLatency.Reset();
        var generatorCpuBefore = 0.0;
        ProcessSample?[] nodesBefore = [], nodesAfter = [];
        ProcessSample? databaseBefore = null, databaseAfter = null;
        long acceptedAtStart = 0, acceptedAtEnd = 0;
        var generatorCores = 0.0;
        SystemCpu machineBefore = default, machineAfter = default;
        var sampler = Task.Run(async () =>
        {
            await Clock.WaitUntilAsync(measureFrom, cancellationToken).ConfigureAwait(false);
            nodesBefore = nodes.Select(n => n.Sample()).ToArray();
            databaseBefore = database?.Sample();
            acceptedAtStart = publisher.Accepted;
            machineBefore = SystemCpu.Read();
            generatorCpuBefore = Environment.CpuUsage.TotalTime.TotalSeconds;
            await Clock.WaitUntilAsync(end, cancellationToken).ConfigureAwait(false);
            nodesAfter = nodes.Select(n => n.Sample()).ToArray();
            databaseAfter = database?.Sample();
            acceptedAtEnd = publisher.Accepted;
            machineAfter = SystemCpu.Read();
            generatorCores = (Environment.CpuUsage.TotalTime.TotalSeconds - generatorCpuBefore) / measureSeconds;
        }, cancellationToken);
        if (closedLoopConcurrency > 0)
        {
            await publisher.RunClosedLoopAsync(closedLoopConcurrency, start, end, channelFor, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await publisher.RunAsync(rate, start, end, channelFor, cancellationToken).ConfigureAwait(false);
        }
        await sampler.ConfigureAwait(false);
        var windowDelivered = recorder.WindowDelivered;
        var latency = recorder.Latency.Summarize();

        long Expected() => Enumerable.Range(0, subscribersPerChannel.Length)
            .Sum(c => (publisher.AcceptedOn(c) - acceptedBefore[c]) * (long)subscribersPerChannel[c]);
        var drainUntil = Clock.NowMicros + (long)(drainSeconds * 1e6);
        var expected = Expected();
        while (recorder.UniqueDelivered - deliveredBefore < expected && Clock.NowMicros < drainUntil)
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            expected = Expected();
        }
        var delivered = recorder.UniqueDelivered - deliveredBefore;
        // Latency of everything measured, including what arrived while draining.
        latency = recorder.Latency.Summarize();
        long? heap = 0;
        foreach (var node in nodes)
        {
            heap = await node.ReadHeapAsync(cancellationToken).ConfigureAwait(false) is { } h && heap is { } sum ? sum + h : null;
        }
        var machineCores = (machineAfter.BusySeconds - machineBefore.BusySeconds) / measureSeconds;
        var nodeSeconds = nodes.Select((_, i) => nodesBefore[i] is { } b && nodesAfter[i] is { } a ? a.CpuSeconds - b.CpuSeconds : double.NaN).ToArray();
        var cpuSeconds = nodeSeconds.Sum();
        var databaseSeconds = databaseBefore is { } db && databaseAfter is { } da ? da.CpuSeconds - db.CpuSeconds : 0;
        return new StepResult(
            Math.Round(rate, 2),
            Math.Round(rate * subscribersPerChannel.Sum() / subscribersPerChannel.Length, 0),
            Math.Round(windowDelivered / measureSeconds, 0),
            latency,
            publisher.Sent - sentBefore,
            publisher.Failed - failedBefore,
            publisher.FirstError,
            publisher.RequestLatency.Summarize(),
            expected,
            delivered,
            Math.Max(0, expected - delivered),
            recorder.Duplicates - duplicatesBefore,
            recorder.ConnectionsLost - droppedBefore,
            delivered >= expected,
            Math.Round(cpuSeconds / measureSeconds, 3),
            Math.Round(cpuSeconds, 2),
            Math.Round(generatorCores, 3),
            Math.Round(machineCores, 3),
            Math.Round(machineCores - generatorCores - ((cpuSeconds + databaseSeconds) / measureSeconds), 3),
            nodesAfter.Sum(n => n?.RssBytes ?? 0),
            heap)
        {
            NodeCores = nodes.Count > 1 || database is not null ? nodeSeconds.Select(c => Math.Round(c / measureSeconds, 3)).ToArray() : null,
            DatabaseCores = database is null ? null : Math.Round(databaseSeconds / measureSeconds, 3),
            AcceptedPerSecond = Math.Round((acceptedAtEnd - acceptedAtStart) / measureSeconds, 1),
        };
    }

    public static Task<LoadRun> OpenAsync(ServerUnderTest server, string title, int connections, int channels, int concurrency,
        Func<int, int[]> channelsFor, int payloadBytes, CancellationToken cancellationToken) =>
        OpenAsync([server], null, title, connections, channels, concurrency, channelsFor, _ => server, [server.Http], payloadBytes, cancellationToken);

    /// <summary>
    /// Opens <paramref name="connections"/> subscribers, connection i on <paramref name="subscriberNode"/>(i),
    /// and a publisher that sends publication i to <paramref name="publishTo"/>[i mod their count].
    /// </summary>
    public static async Task<LoadRun> OpenAsync(IReadOnlyList<ServerUnderTest> nodes, ProcessTree? database, string title, int connections, int channels, int concurrency,
        Func<int, int[]> channelsFor, Func<int, ServerUnderTest> subscriberNode, IReadOnlyList<HttpClient> publishTo, int payloadBytes, CancellationToken cancellationToken)
    {
        var server = nodes[0];
        var recorder = new DeliveryRecorder();
        var pool = new ConnectionPool(i => subscriberNode(i).ConnectSpec, recorder);
        var publisher = new Publisher(publishTo, server.Settings.ApiKey, channels, payloadBytes);
        var progress = nodes.Count == 1
            ? new Progress(title, server, recorder, () => pool, () => publisher)
            : new Progress(title, () => SumOf(nodes), recorder, () => pool, () => publisher);
        var run = new LoadRun(nodes, database, recorder, pool, publisher, progress);
        progress.Phase = $"connecting {connections}";
        run.Connect = await pool.OpenAsync(connections, concurrency, channelsFor, TimeSpan.FromSeconds(180), cancellationToken).ConfigureAwait(false);
        await Console.Error.WriteLineAsync($"[{title}] connected {run.Connect.Opened} in {run.Connect.Seconds} s ({run.Connect.PerSecond}/s, handshake {run.Connect.Handshake}); failed {run.Connect.Failed} {run.Connect.FirstError}").ConfigureAwait(false);
        if (run.Connect.Opened < connections)
        {
            await run.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"only {run.Connect.Opened} of {connections} connections opened: {run.Connect.FirstError}");
        }
        return run;
    }

    public ConnectStats? Connect { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await progress.DisposeAsync().ConfigureAwait(false);
        pool.AbortAll();
    }

    public static int[] Counts(int channels, int connections, Func<int, int[]> channelsFor)
    {
        var counts = new int[channels];
        for (var i = 0; i < connections; i++)
        {
            foreach (var c in channelsFor(i))
            {
                counts[c]++;
            }
        }
        return counts;
    }
}
