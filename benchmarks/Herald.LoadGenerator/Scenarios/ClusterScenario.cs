using System.Globalization;
using System.Text;
using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Targets;
using Herald.Testing;

namespace Herald.LoadGenerator.Scenarios;

/// <summary>
/// Scale-out on PostgreSQL: the generator starts its own PostgreSQL (initdb in a temporary folder,
/// fsync on, as in production) and, for each count of <c>--nodes</c> (1,2,3) and each of
/// <c>--modes</c>, a fresh database with that many Herald nodes on it (Release build,
/// <c>Herald:Storage:Provider=Postgres</c>, the <c>bench</c> namespace with
/// <c>HistorySize=--history</c>, 1000). Modes:
/// <list type="bullet">
/// <item><b>ingest</b>: how many <c>POST /api/publish</c> per second are answered 2xx, with no
/// subscribers: <c>--ingest-connections</c> (64) keep-alive connections spread over the nodes,
/// closed loop (each sends its next publication when the previous one is answered), round-robin
/// over <c>--ingest-channels</c> (100) channels. Afterwards the database is counted: every 2xx
/// must be a stored row and an assigned offset of its channel.</item>
/// <item><b>latency</b>: <c>--latency-rate</c> (1000) publications/s, open loop, on node 1;
/// <c>--latency-subscribers</c> (100; a list runs each count) on one channel on the last node
/// (cross-node), then the same on node 1 (same-node). Latency from the scheduled time to arrival.</item>
/// <item><b>fanout</b>: <c>--fanout-subscribers</c> (10 000) on one channel, connection i on node
/// i mod N, publishing on node 1, the ladder of <c>--rates</c> (deliveries/s) of the fan-out scenario.</item>
/// </list>
/// One JSON per mode and node count (<c>cluster-&lt;mode&gt;-&lt;N&gt;nodes.json</c>) and a summary, <c>cluster.md</c>.
/// </summary>
public sealed class ClusterScenario
{
    private static readonly string[] AllModes = ["ingest", "latency", "fanout"];

    private string[] _modes = [];
    private int[] _nodeCounts = [];
    private int _history;
    private double _warmup;
    private double _measure;
    private double _drain;
    private int _payload;
    private int _concurrency;
    private int _ingestConnections;
    private int _ingestChannels;
    private double _latencyRate;
    private int[] _latencySubscribers = [];
    private int _fanoutSubscribers;
    private int[] _rates = [];
    private double _p99Limit;
    private double _p99StopMs;
    private string _connectionOptions = "";

    public void Configure(Options options)
    {
        _modes = (options.String("modes") ?? string.Join(',', AllModes)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        foreach (var mode in _modes)
        {
            if (!AllModes.Contains(mode))
            {
                throw new ArgumentException($"--modes: unknown mode '{mode}' (ingest, latency, fanout)");
            }
        }
        _nodeCounts = options.Ints("nodes", [1, 2, 3]);
        if (_nodeCounts.Any(n => n < 1))
        {
            throw new ArgumentException("--nodes: counts of nodes, at least 1");
        }
        _history = options.Int("history", 1000);
        _warmup = options.Double("warmup", 5);
        _measure = options.Double("duration", 15);
        _drain = options.Double("drain", 10);
        _payload = options.Int("payload-bytes", 100);
        _concurrency = options.Int("connect-concurrency", 64);
        _ingestConnections = options.Int("ingest-connections", 64);
        _ingestChannels = options.Int("ingest-channels", 100);
        _latencyRate = options.Double("latency-rate", 1000);
        _latencySubscribers = options.Ints("latency-subscribers", [100]);
        _fanoutSubscribers = options.Int("fanout-subscribers", 10_000);
        _rates = options.Ints("rates", [10_000, 20_000, 50_000, 100_000, 150_000]);
        _p99Limit = options.Double("p99-limit-ms", 200);
        _p99StopMs = options.Double("p99-stop-ms", 3000);
        _connectionOptions = options.String("postgres-options", "");
    }

    /// <summary>Every mode for every node count, each on a fresh database and freshly started nodes; writes the JSON files and cluster.md.</summary>
    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(TargetSettings settings, MachineInfo machine, string commandLine, string outDir,
        Func<string, object, Task> write, CancellationToken cancellationToken)
    {
        settings = settings with { HistorySize = _history };
        var results = new List<ScenarioResult>();
        await Console.Error.WriteLineAsync("[cluster] starting PostgreSQL (initdb in a temporary folder, fsync on)").ConfigureAwait(false);
        await using var postgres = await TestPostgres.StartDedicatedAsync().ConfigureAwait(false);
        var run = 0;
        foreach (var nodes in _nodeCounts)
        {
            foreach (var mode in _modes)
            {
                var database = $"bench_{++run}_{mode}_{nodes}";
                var load = await LoadAverageAsync().ConfigureAwait(false);
                await using var cluster = await BenchCluster.StartAsync(postgres, settings, nodes, database, _connectionOptions, Path.Combine(outDir, "logs"), cancellationToken).ConfigureAwait(false);
                ScenarioResult result;
                try
                {
                    result = mode switch
                    {
                        "ingest" => await IngestAsync(cluster, load, cancellationToken).ConfigureAwait(false),
                        "latency" => await LatencyAsync(cluster, load, cancellationToken).ConfigureAwait(false),
                        _ => await FanOutAsync(cluster, load, cancellationToken).ConfigureAwait(false),
                    };
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Npgsql.NpgsqlException)
                {
                    await Console.Error.WriteLineAsync($"[cluster {mode} {nodes} nodes] failed: {ex.Message}").ConfigureAwait(false);
                    result = new ScenarioResult($"cluster-{mode}", Target(nodes), cluster.Nodes[0].Command, [], new { nodes, error = ex.Message, loadAverageBefore = load });
                }
                results.Add(result);
                await write($"cluster-{mode}-{nodes}nodes.json", new { machine, command = commandLine, result }).ConfigureAwait(false);
            }
        }
        var summary = Summary(results, machine, commandLine);
        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(Path.Combine(outDir, "cluster.md"), summary, cancellationToken).ConfigureAwait(false);
        Console.WriteLine(summary);
        return results;
    }

    private static string Target(int nodes) => $"herald-{nodes}node{(nodes == 1 ? "" : "s")}";

    private async Task<ScenarioResult> IngestAsync(BenchCluster cluster, string load, CancellationToken cancellationToken)
    {
        var nodes = cluster.Nodes;
        var title = $"cluster ingest {nodes.Count}n";
        var perNode = (int)Math.Ceiling(_ingestConnections / (double)nodes.Count);
        // Clients of their own: one keep-alive connection per publishing worker.
        var clients = nodes.Select(n => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = perNode, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = n.BaseUri,
            Timeout = TimeSpan.FromSeconds(30),
        }).ToArray();
        var channels = _ingestChannels;
        StepResult step;
        LoadRun run;
        try
        {
            run = await LoadRun.OpenAsync(nodes, cluster.Database, title, 0, channels, _concurrency, _ => [], _ => nodes[0], clients, _payload, cancellationToken).ConfigureAwait(false);
            try
            {
                run.Progress.Phase = $"closed loop, {_ingestConnections} conns";
                step = await run.RunMeasuredStepAsync(0, _warmup, _measure, i => (int)(i % channels), new int[channels], 0, cancellationToken, _ingestConnections).ConfigureAwait(false);
            }
            finally
            {
                await run.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        // Every 2xx must be in the database: a row in history and an offset of its channel.
        var stored = await cluster.CountStoredAsync(cancellationToken).ConfigureAwait(false);
        var publisher = run.Publisher;
        long acceptedNotStored = 0;
        var channelsShort = 0;
        for (var c = 0; c < channels; c++)
        {
            var top = stored.TopOffsets.GetValueOrDefault(Publisher.ChannelName(c));
            var accepted = publisher.AcceptedOn(c);
            if (top < accepted)
            {
                acceptedNotStored += accepted - top;
                channelsShort++;
            }
        }
        var acceptedTotal = publisher.Accepted;
        var verification = new
        {
            acceptedTotal,
            failedTotal = publisher.Failed,
            storedRows = stored.Rows,
            assignedOffsets = stored.Offsets,
            acceptedNotStored,
            channelsWithFewerOffsetsThanAccepted = channelsShort,
            storedNotAccepted = Math.Max(0, stored.Offsets - acceptedTotal),
            rowsEqualOffsets = stored.Rows == stored.Offsets,
        };
        await Console.Error.WriteLineAsync($"[{title}] accepted {step.AcceptedPerSecond}/s ({step.PublishRequest}), failed {step.PublishFailed}; database: {stored.Rows} rows, {stored.Offsets} offsets for {acceptedTotal} accepted ({acceptedNotStored} accepted but not stored); nodes {string.Join('/', step.NodeCores ?? [])} cores, PostgreSQL {step.DatabaseCores} cores, generator {step.GeneratorCores}, other {step.OtherProcessesCores}").ConfigureAwait(false);
        return new ScenarioResult("cluster-ingest", Target(nodes.Count), nodes[0].Command,
            [
                new Headline("publications/s accepted (2xx), with history", step.AcceptedPerSecond, "1/s", true, 5_000),
                new Headline("publish request p50", step.PublishRequest.P50Ms, "ms", false),
                new Headline("publish request p99", step.PublishRequest.P99Ms, "ms", false),
                new Headline("publish failures", step.PublishFailed, "requests", false, 0),
                new Headline("accepted but not stored", acceptedNotStored + (stored.Rows < stored.Offsets ? stored.Offsets - stored.Rows : 0), "publications", false, 0),
                new Headline("Herald nodes, cores (sum)", step.ServerCores, "cores", false),
                new Headline("PostgreSQL cores", step.DatabaseCores ?? double.NaN, "cores", false),
                new Headline("generator cores", step.GeneratorCores, "cores", false),
            ],
            new
            {
                nodes = nodes.Count, connections = _ingestConnections, connectionsPerNode = perNode, channels, historySize = _history, warmupSeconds = _warmup, measureSeconds = _measure,
                payloadBytes = _payload, loadAverageBefore = load, verification, step,
            });
    }

    private async Task<ScenarioResult> LatencyAsync(BenchCluster cluster, string load, CancellationToken cancellationToken)
    {
        var nodes = cluster.Nodes;
        var placements = nodes.Count > 1 ? new[] { ("cross-node", nodes.Count - 1), ("same-node", 0) } : [("same-node", 0)];
        var steps = new List<object>();
        var results = new List<(int Subscribers, string Placement, StepResult Step)>();
        foreach (var subscribers in _latencySubscribers)
        {
            foreach (var (placement, subscriberNode) in placements)
            {
                var title = $"cluster latency {nodes.Count}n {subscribers} subs {placement}";
                var run = await LoadRun.OpenAsync(nodes, cluster.Database, title, subscribers, 1, _concurrency, _ => [0], _ => nodes[subscriberNode], [nodes[0].Http], _payload, cancellationToken).ConfigureAwait(false);
                StepResult step;
                try
                {
                    run.Progress.Phase = $"{_latencyRate} pub/s on node 1";
                    step = await run.RunMeasuredStepAsync(_latencyRate, _warmup, _measure, _ => 0, [subscribers], _drain, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    await run.DisposeAsync().ConfigureAwait(false);
                }
                await Console.Error.WriteLineAsync($"[{title}] {step.Latency}, delivered {step.DeliveriesPerSecond}/s, lost {step.Lost}, duplicates {step.Duplicates}, publish p99 {step.PublishRequest.P99Ms} ms, nodes {string.Join('/', step.NodeCores ?? [])} cores, PostgreSQL {step.DatabaseCores}, generator {step.GeneratorCores}, other {step.OtherProcessesCores}").ConfigureAwait(false);
                steps.Add(new { subscribers, placement, publishNode = 1, subscriberNode = subscriberNode + 1, connect = run.Connect, droppedReasons = run.Recorder.LostReasons, step });
                results.Add((subscribers, placement, step));
            }
        }
        var first = _latencySubscribers[0];
        var headline = results.First(r => r.Subscribers == first).Step;
        var same = results.First(r => r.Subscribers == first && r.Placement == "same-node").Step;
        var headlines = new List<Headline>
        {
            new($"p99, node 1 → node {nodes.Count}, {_latencyRate} publications/s, {first} subscribers", headline.Latency.P99Ms, "ms", false, 50),
            new("p50", headline.Latency.P50Ms, "ms", false),
            new("p90", headline.Latency.P90Ms, "ms", false),
            new("max", headline.Latency.MaxMs, "ms", false),
            new("same-node p99", same.Latency.P99Ms, "ms", false),
            new("same-node p50", same.Latency.P50Ms, "ms", false),
        };
        foreach (var (subscribers, placement, step) in results.Where(r => r.Subscribers != first))
        {
            headlines.Add(new($"{placement} p99, {subscribers} subscribers", step.Latency.P99Ms, "ms", false));
        }
        headlines.Add(new("lost", results.Sum(r => r.Step.Lost), "messages", false, 0));
        headlines.Add(new("duplicates", results.Sum(r => r.Step.Duplicates), "messages", false, 0));
        return new ScenarioResult("cluster-latency", Target(nodes.Count), nodes[0].Command, headlines,
            new { nodes = nodes.Count, rate = _latencyRate, subscribers = _latencySubscribers, historySize = _history, warmupSeconds = _warmup, measureSeconds = _measure, payloadBytes = _payload, loadAverageBefore = load, steps });
    }

    private async Task<ScenarioResult> FanOutAsync(BenchCluster cluster, string load, CancellationToken cancellationToken)
    {
        var nodes = cluster.Nodes;
        var title = $"cluster fanout {nodes.Count}n";
        var run = await LoadRun.OpenAsync(nodes, cluster.Database, title, _fanoutSubscribers, 1, _concurrency, _ => [0], i => nodes[i % nodes.Count], [nodes[0].Http], _payload, cancellationToken).ConfigureAwait(false);
        List<StepResult> steps;
        string? stoppedBecause;
        try
        {
            (steps, stoppedBecause) = await FanOutScenario.RunLadderAsync(run, title, _rates, _fanoutSubscribers, _warmup, _measure, _drain, _p99Limit, _p99StopMs, 100, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await run.DisposeAsync().ConfigureAwait(false);
        }
        var passing = steps.Where(s => s.Latency.P99Ms <= _p99Limit && s.Lost == 0 && s.Duplicates == 0 && s.ConnectionsDropped == 0 && s.PublishFailed == 0).ToList();
        var bestStep = passing.OrderByDescending(s => s.DeliveriesPerSecond).FirstOrDefault();
        var peakStep = steps.OrderByDescending(s => s.DeliveriesPerSecond).FirstOrDefault();
        return new ScenarioResult("cluster-fanout", Target(nodes.Count), nodes[0].Command,
            [
                new Headline("deliveries/s within p99 limit, no loss", bestStep?.DeliveriesPerSecond ?? 0, "1/s", true),
                new Headline("peak deliveries/s", peakStep?.DeliveriesPerSecond ?? 0, "1/s", true),
                new Headline("p99 at best step", bestStep?.Latency.P99Ms ?? double.NaN, "ms", false, _p99Limit),
                new Headline("lost", steps.Sum(s => s.Lost), "messages", false, 0),
                new Headline("duplicates", steps.Sum(s => s.Duplicates), "messages", false, 0),
                new Headline("Herald CPU per delivery at the peak step", peakStep is null || peakStep.DeliveriesPerSecond == 0 ? double.NaN : Math.Round(peakStep.ServerCores / peakStep.DeliveriesPerSecond * 1e6, 2), "µs", false),
            ],
            new
            {
                nodes = nodes.Count, subscribers = _fanoutSubscribers, subscribersPerNode = Enumerable.Range(0, nodes.Count).Select(n => Enumerable.Range(0, _fanoutSubscribers).Count(i => i % nodes.Count == n)).ToArray(),
                historySize = _history, warmupSeconds = _warmup, measureSeconds = _measure, p99LimitMs = _p99Limit, payloadBytes = _payload, loadAverageBefore = load,
                connect = run.Connect, stoppedBecause, droppedReasons = run.Recorder.LostReasons, steps,
            });
    }

    /// <summary>/proc/loadavg before a run (the machine is shared: the figures say how busy it was).</summary>
    private static async Task<string> LoadAverageAsync()
    {
        var text = await File.ReadAllTextAsync("/proc/loadavg").ConfigureAwait(false);
        return string.Join(' ', text.Split(' ').Take(3));
    }

    /// <summary>The Markdown summary: one table per mode, a row per node count.</summary>
    private static string Summary(IReadOnlyList<ScenarioResult> results, MachineInfo machine, string commandLine)
    {
        static string F(double v) => double.IsNaN(v) ? "—" : Math.Abs(v) >= 1000 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("0.##", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}").AppendLine(CultureInfo.InvariantCulture, $"Command: {commandLine}").AppendLine();
        foreach (var group in results.GroupBy(r => r.Scenario))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## {group.Key}").AppendLine();
            var names = group.SelectMany(r => r.Headlines.Select(h => h.Name)).Distinct().ToArray();
            text.AppendLine("| nodes | " + string.Join(" | ", names) + " |");
            text.AppendLine("|---|" + string.Concat(names.Select(_ => "---:|")));
            foreach (var result in group)
            {
                var cells = names.Select(n => result.Headlines.FirstOrDefault(h => h.Name == n) is { } h ? F(h.Value) + (h.MeetsTarget == false ? " (missed)" : "") : "—");
                text.AppendLine(CultureInfo.InvariantCulture, $"| {result.Target} | {string.Join(" | ", cells)} |");
            }
            text.AppendLine();
        }
        return text.ToString();
    }
}
