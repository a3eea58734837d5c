using System.Globalization;
using System.Text;
using System.Text.Json;
using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Scenarios;
using Herald.LoadGenerator.Targets;

namespace Herald.LoadGenerator;

/// <summary>
/// The commands: one per scenario against one server, and <c>compare</c>, which runs scenarios
/// against Herald and the Node.js Socket.IO server alternately in one run and reports ratios.
/// </summary>
public static class Cli
{
    private const string Usage = """
        Herald load generator

          herald-loadgen <scenario> [--target herald|socketio] [options]
          herald-loadgen compare [--scenarios fanout,latency,idle,connect,channels] [options]
          herald-loadgen machine       the machine, and the cost of one loopback send + receive (the floor per delivery)
          herald-loadgen report --out DIR   the side-by-side table of a compare directory (compare.md)

        Scenarios (defaults in brackets):
          fanout    --subscribers 10000 --rates 10000,20000,...,400000 (deliveries/s) --warmup 5 --duration 20 --p99-limit-ms 200 --max-failed-steps 100 --p99-stop-ms 3000
          latency   --subscribers 5000 --deliveries 50000 --warmup 5 --duration 30
          idle      --levels 2500,5000,10000,15000,19000 --settle 15
          connect   --connections 10000 --concurrency 64 --warmup-connections 1000
          channels  --connections 10000 --per-connection 10 --channels 10000 --rate 1000 --duration 25
          cluster   --nodes 1,2,3 --modes ingest,latency,fanout --history 1000 --warmup 5 --duration 15
                    its own PostgreSQL (fsync on) and N Herald nodes on it (Provider=Postgres), a fresh database per mode and N:
                    ingest:  --ingest-connections 64 --ingest-channels 100 (closed loop, spread over the nodes; 2xx checked against the database)
                    latency: --latency-rate 1000 --latency-subscribers 100[,10…] (publish on node 1; subscribers on the last node, then on node 1)
                    fanout:  --fanout-subscribers 10000 --rates 10000,20000,50000,100000,150000 (deliveries/s; subscribers spread over the nodes)
                    --postgres-options 'K=V;…'   appended to the nodes' Npgsql connection string

        Server under test (started by the generator unless --url is given):
          --target herald|socketio     herald: src/Herald.Server Release build; socketio: benchmarks/socketio-server
          --protocol native|socketio   what the generator speaks to Herald [native]
          --url http://127.0.0.1:PORT  attach to a running server (with --pid for RSS/CPU, --api-key, --jwt-secret)
          --heartbeat 10               server heartbeat interval and timeout, seconds (both servers)
          --history 0                  HistorySize of Herald's bench namespace
          --source-addresses 4         connect from 127.0.0.1 … 127.0.0.N
          --payload-bytes 100          size of each publication's data
          --quiet-max-other-cores 0.25 before each measurement wait until other processes use at most this (shared machines)
          --quiet-max-wait 45          … but at most this many seconds; a step disturbed by more than twice that runs again once
          --nice 0                     niceness of the started server (negative: ahead of other processes; needs root)
          --server-env 'K=V;K2=V2'     extra environment for the started server (e.g. DOTNET_gcServer=0)
          --out DIR                    where JSON results and server logs go [benchmarks/results/<time>]
          --timeout-minutes 30         hard stop for the whole command
        """;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var command = args[0];
            var options = new Options(args.Skip(1));
            OpenFiles.Raise();
            var machine = MachineInfo.Read();
            if (command == "machine")
            {
                options.EnsureAllRead();
                Console.WriteLine(JsonSerializer.Serialize(new { machine, loopback = LoopbackCalibration.Run() }, Json));
                return 0;
            }
            if (command == "heap-census")
            {
                // Runs in a child process of its own (see HeapCensus.TakeInChildAsync): the debugging
                // library ClrMD loads must not share a process with the measurements.
                var pid = options.Int("pid", 0);
                var connections = options.Int("connections", 1);
                options.EnsureAllRead();
                Console.WriteLine(JsonSerializer.Serialize(HeapCensus.Take(pid, connections), Json));
                return 0;
            }
            if (command == "report")
            {
                var dir = options.String("out") ?? throw new ArgumentException("report needs --out DIR (a compare run's directory)");
                options.EnsureAllRead();
                var table = await ReportAsync(dir, machine, commandLine: null).ConfigureAwait(false);
                Console.WriteLine(table);
                return 0;
            }
            var outDir = options.String("out") ?? Path.Combine(TargetSettings.From(new Options([])).RepoRoot, "benchmarks", "results", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            var timeout = TimeSpan.FromMinutes(options.Double("timeout-minutes", 30));
            using var cts = new CancellationTokenSource(timeout);
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cts.Cancel();
            };
            var commandLine = "herald-loadgen " + string.Join(' ', args);
            Console.Error.WriteLine($"machine: {machine}");
            if (command == "cluster")
            {
                var cluster = new ClusterScenario();
                cluster.Configure(options);
                var settings = TargetSettings.From(options);
                options.EnsureAllRead();
                if (settings.Kind != TargetKind.Herald || settings.Url is not null)
                {
                    throw new ArgumentException("cluster starts its own Herald nodes: no --target socketio, no --url");
                }
                await cluster.RunAsync(settings, machine, commandLine, outDir, (file, value) => WriteAsync(outDir, file, value), cts.Token).ConfigureAwait(false);
                Console.WriteLine($"results: {outDir}");
                return 0;
            }
            if (command == "compare")
            {
                return await CompareAsync(options, machine, commandLine, outDir, cts.Token).ConfigureAwait(false);
            }
            var scenario = Scenario.Create(command);
            scenario.Configure(options);
            var target = TargetSettings.From(options);
            options.EnsureAllRead();
            var result = await RunOneAsync(scenario, target, outDir, cts.Token).ConfigureAwait(false);
            await WriteAsync(outDir, $"{scenario.Name}-{target.Name}.json", new { machine, command = commandLine, result }).ConfigureAwait(false);
            Console.WriteLine(Describe(result));
            return 0;
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}\n\n{Usage}");
            return 2;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("stopped: the time limit (--timeout-minutes) ran out or Ctrl+C");
            return 3;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"failed: {ex.Message}");
            return 1;
        }
    }

    private static async Task<ScenarioResult> RunOneAsync(Scenario scenario, TargetSettings target, string outDir, CancellationToken cancellationToken)
    {
        await using var server = await ServerUnderTest.StartAsync(target, Path.Combine(outDir, "logs"), cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"[{scenario.Name} {target.Name}] server: {server.Command} (pid {server.Pid}) at {server.BaseUri}");
        return await scenario.RunAsync(server, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Each scenario against Herald, then against Socket.IO, each on a freshly started server; ratios at the end.</summary>
    private static async Task<int> CompareAsync(Options options, MachineInfo machine, string commandLine, string outDir, CancellationToken cancellationToken)
    {
        var names = (options.String("scenarios") ?? string.Join(',', Scenario.All)).Split(',', StringSplitOptions.RemoveEmptyEntries);
        var scenarios = names.Select(n =>
        {
            var s = Scenario.Create(n);
            s.Configure(options);
            return s;
        }).ToArray();
        var herald = TargetSettings.From(options, TargetKind.Herald);
        var socketio = TargetSettings.From(options, TargetKind.SocketIO) with { Protocol = Wire.WireProtocol.SocketIO };
        options.EnsureAllRead();
        foreach (var scenario in scenarios)
        {
            foreach (var target in new[] { herald, socketio })
            {
                ScenarioResult result;
                try
                {
                    result = await RunOneAsync(scenario, target, outDir, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
                {
                    Console.Error.WriteLine($"[{scenario.Name} {target.Name}] failed: {ex.Message}");
                    result = new ScenarioResult(scenario.Name, target.Name, "failed", [], new { error = ex.Message });
                }
                await WriteAsync(outDir, $"{scenario.Name}-{target.Name}.json", new { machine, command = commandLine, result }).ConfigureAwait(false);
                Console.WriteLine(Describe(result));
            }
        }
        var table = await ReportAsync(outDir, machine, commandLine).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine($"results: {outDir}");
        return 0;
    }

    /// <summary>
    /// The side-by-side table of a compare directory: every scenario with results for both servers,
    /// Herald / Socket.IO per headline. Written to compare.md; also the <c>report</c> command.
    /// </summary>
    private static async Task<string> ReportAsync(string outDir, MachineInfo machine, string? commandLine)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}");
        if (commandLine is not null)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"Command: {commandLine}");
        }
        report.AppendLine();
        report.AppendLine("| scenario | figure | Herald | Socket.IO | Herald / Socket.IO | target |").AppendLine("|---|---|---:|---:|---:|---|");
        var all = new List<object>();
        foreach (var name in Scenario.All)
        {
            var herald = await ReadResultAsync(Path.Combine(outDir, $"{name}-herald.json")).ConfigureAwait(false);
            var socketio = await ReadResultAsync(Path.Combine(outDir, $"{name}-socketio.json")).ConfigureAwait(false);
            if (herald is null)
            {
                continue;
            }
            foreach (var headline in herald.Value.GetProperty("headlines").EnumerateArray())
            {
                var figure = headline.GetProperty("name").GetString()!;
                var value = Number(headline.GetProperty("value"));
                var unit = headline.GetProperty("unit").GetString();
                var higher = headline.GetProperty("higherIsBetter").GetBoolean();
                double? targetValue = headline.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : null;
                double? other = null;
                if (socketio is { } s)
                {
                    foreach (var h in s.GetProperty("headlines").EnumerateArray())
                    {
                        if (h.GetProperty("name").GetString() == figure)
                        {
                            other = Number(h.GetProperty("value"));
                        }
                    }
                }
                var ratio = other is not { } o || o == 0 || double.IsNaN(o) || double.IsNaN(value) ? double.NaN : value / o;
                var target = targetValue is { } tv
                    ? $"{(higher ? "≥" : "≤")} {tv.ToString(CultureInfo.InvariantCulture)} ({((higher ? value >= tv : value <= tv) ? "met" : "missed")})"
                    : "";
                report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {figure} ({unit}) | {Format(value)} | {(other is { } ov ? Format(ov) : "—")} | {(double.IsNaN(ratio) ? "—" : ratio.ToString("0.00", CultureInfo.InvariantCulture) + "×")} | {target} |");
            }
        }
        var text = report.ToString();
        await File.WriteAllTextAsync(Path.Combine(outDir, "compare.md"), text).ConfigureAwait(false);
        return text;
    }

    private static async Task<JsonElement?> ReadResultAsync(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(path).ConfigureAwait(false));
        return doc.RootElement.GetProperty("result").Clone();
    }

    private static double Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => double.NaN,
    };

    private static string Format(double value) =>
        double.IsNaN(value) ? "—" : Math.Abs(value) >= 1000 ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Describe(ScenarioResult result)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"== {result.Scenario} on {result.Target} ==");
        foreach (var h in result.Headlines)
        {
            var target = h.Target is { } t ? $"   (target {(h.HigherIsBetter ? "≥" : "≤")} {t.ToString(CultureInfo.InvariantCulture)}: {(h.MeetsTarget == true ? "met" : "missed")})" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"  {h.Name}: {Format(h.Value)} {h.Unit}{target}");
        }
        return text.ToString();
    }

    private static async Task WriteAsync(string outDir, string file, object value)
    {
        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(Path.Combine(outDir, file), JsonSerializer.Serialize(value, Json)).ConfigureAwait(false);
    }
}
