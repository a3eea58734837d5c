using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Herald.LoadGenerator.Wire;

namespace Herald.LoadGenerator.Targets;

/// <summary>
/// The server being measured: started by the generator (Herald from the repository's Release
/// build, or the Node.js Socket.IO reference server) on a free loopback port, or attached to by
/// URL and PID. Gives its RSS and CPU from /proc and its managed heap from its own endpoint.
/// </summary>
public sealed class ServerUnderTest : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly StreamWriter? _log;

    private ServerUnderTest(TargetSettings settings, Uri baseUri, int? pid, Process? process, StreamWriter? log, string command)
    {
        Settings = settings;
        BaseUri = baseUri;
        Pid = pid;
        _process = process;
        _log = log;
        Command = command;
        var host = baseUri.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(baseUri.Host);
        EndPoint = new IPEndPoint(host, baseUri.Port);
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public TargetSettings Settings { get; }

    public Uri BaseUri { get; }

    public IPEndPoint EndPoint { get; }

    public int? Pid { get; }

    /// <summary>How the server was started (or "attached").</summary>
    public string Command { get; }

    /// <summary>The client that publishes and reads stats.</summary>
    public HttpClient Http { get; }

    public ConnectSpec ConnectSpec => new(Settings.Protocol, EndPoint, Settings.Sources,
        i => Tokens.Create(Settings.JwtSecret, $"u{i}", "bench", TimeSpan.FromHours(2)));

    /// <param name="logName">The log file's name before its time stamp (default: the target's name); nodes of a cluster each have their own.</param>
    public static async Task<ServerUnderTest> StartAsync(TargetSettings settings, string logDirectory, CancellationToken cancellationToken, string? logName = null)
    {
        if (settings.Url is { } url)
        {
            var attached = new ServerUnderTest(settings, url, settings.Pid, null, null, "attached");
            await attached.WaitHealthyAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            return attached;
        }
        var port = FreePort();
        var start = settings.Kind == TargetKind.Herald ? HeraldStart(settings, port) : NodeStart(settings, port);
        foreach (var (key, value) in settings.ServerEnvironment)
        {
            start.Environment[key] = value;
        }
        if (settings.Nice != 0)
        {
            // nice execs the server: the PID stays the server's, and every thread inherits the niceness.
            start.ArgumentList.Insert(0, start.FileName);
            start.ArgumentList.Insert(0, settings.Nice.ToString(CultureInfo.InvariantCulture));
            start.ArgumentList.Insert(0, "-n");
            start.FileName = "nice";
        }
        Directory.CreateDirectory(logDirectory);
        var log = new StreamWriter(Path.Combine(logDirectory, $"{logName ?? settings.Name}-{DateTime.UtcNow:HHmmss}.log")) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + start.FileName);
        process.OutputDataReceived += (_, e) => Log(log, e.Data);
        process.ErrorDataReceived += (_, e) => Log(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var command = $"{start.FileName} {string.Join(' ', start.ArgumentList)}";
        var server = new ServerUnderTest(settings, new Uri($"http://127.0.0.1:{port}"), process.Id, process, log, command);
        try
        {
            await server.WaitHealthyAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    private static void Log(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.WriteLine(line);
        }
    }

    private static ProcessStartInfo HeraldStart(TargetSettings s, int port)
    {
        if (!File.Exists(s.HeraldDll))
        {
            throw new InvalidOperationException($"{s.HeraldDll} is missing: build first with 'dotnet build Herald.slnx -c Release'");
        }
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(s.HeraldDll)!,
        };
        start.ArgumentList.Add(s.HeraldDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        var env = start.Environment;
        env["Herald__Storage__Provider"] = "Memory";
        env["Herald__Auth__JwtSecret"] = s.JwtSecret;
        env["Herald__Auth__ApiKeys__0__Name"] = "bench";
        env["Herald__Auth__ApiKeys__0__Key"] = s.ApiKey;
        env["Herald__Auth__ApiKeys__0__Scopes__0"] = "publish";
        env["Herald__Auth__ApiKeys__0__Scopes__1"] = "admin";
        env["Herald__Namespaces__bench__Scope"] = "Public";
        env["Herald__Namespaces__bench__HistorySize"] = s.HistorySize.ToString(CultureInfo.InvariantCulture);
        env["Herald__Heartbeat__IntervalSeconds"] = s.HeartbeatSeconds.ToString(CultureInfo.InvariantCulture);
        env["Herald__Heartbeat__TimeoutSeconds"] = s.HeartbeatSeconds.ToString(CultureInfo.InvariantCulture);
        // Per-connection log lines are Debug already; Warning keeps the console off the hot path for both servers.
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        return start;
    }

    private static ProcessStartInfo NodeStart(TargetSettings s, int port)
    {
        if (!File.Exists(s.NodeScript))
        {
            throw new InvalidOperationException($"{s.NodeScript} is missing");
        }
        if (!Directory.Exists(Path.Combine(Path.GetDirectoryName(s.NodeScript)!, "node_modules", "socket.io")))
        {
            throw new InvalidOperationException("socket.io is not installed: run 'npm ci' in benchmarks/socketio-server (benchmarks/run.sh does)");
        }
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(s.NodeScript)!,
        };
        // --expose-gc: the idle scenario asks for a full collection (POST /gc) before reading memory, as it does of Herald.
        start.ArgumentList.Add("--expose-gc");
        start.ArgumentList.Add(s.NodeScript);
        var env = start.Environment;
        env["HOST"] = "127.0.0.1";
        env["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        env["JWT_SECRET"] = s.JwtSecret;
        env["API_KEY"] = s.ApiKey;
        env["PING_INTERVAL_MS"] = ((int)(s.HeartbeatSeconds * 1000)).ToString(CultureInfo.InvariantCulture);
        env["PING_TIMEOUT_MS"] = ((int)(s.HeartbeatSeconds * 1000)).ToString(CultureInfo.InvariantCulture);
        env["NODE_ENV"] = "production";
        return start;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"the server exited with code {_process.ExitCode} during start; see its log");
            }
            try
            {
                using var response = await Http.GetAsync("/health", cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{BaseUri} did not become healthy within {timeout.TotalSeconds} s");
            }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>RSS and CPU of the server process, when its PID is known.</summary>
    public ProcessSample? Sample()
    {
        if (Pid is not { } pid)
        {
            return null;
        }
        try
        {
            return ProcessSample.Read(pid);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// The server's managed heap in bytes: Herald's <c>herald_gc_heap_bytes</c> (GC.GetTotalMemory)
    /// from <c>/metrics</c>, Node's <c>process.memoryUsage().heapUsed</c> from <c>/stats</c>.
    /// </summary>
    public async Task<long?> ReadHeapAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Settings.Kind == TargetKind.Herald)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
                request.Headers.Add("X-API-Key", Settings.ApiKey);
                using var response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                foreach (var line in text.Split('\n'))
                {
                    // herald_gc_heap_bytes{otel_scope_name="Herald"} 123 (labels optional).
                    if (line.StartsWith("herald_gc_heap_bytes", StringComparison.Ordinal) && line.Length > 20 && line[20] is ' ' or '{')
                    {
                        return (long)double.Parse(line.AsSpan(line.LastIndexOf(' ') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
                return null;
            }
            var json = await Http.GetStringAsync("/stats", cancellationToken).ConfigureAwait(false);
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("heapUsed").GetInt64();
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or FormatException or KeyNotFoundException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Makes the server collect its garbage, so that memory readings show what connections retain
    /// rather than what their handshakes left for the next GC: for Herald an EventPipe session with
    /// the GCHeapCollect keyword (what dotnet-gcdump uses) induces a full blocking GC; the Node
    /// server runs with --expose-gc and calls global.gc() on POST /gc. Returns false when it could not.
    /// </summary>
    public async Task<bool> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Settings.Kind == TargetKind.Herald)
            {
                if (Pid is not { } pid)
                {
                    return false;
                }
                var client = new Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient(pid);
                var providers = new[]
                {
                    new Microsoft.Diagnostics.NETCore.Client.EventPipeProvider("Microsoft-Windows-DotNETRuntime",
                        System.Diagnostics.Tracing.EventLevel.Informational, 0x800000 /* GCHeapCollect */),
                };
                using var session = await client.StartEventPipeSessionAsync(providers, requestRundown: false, circularBufferMB: 16, cancellationToken).ConfigureAwait(false);
                var drain = session.EventStream.CopyToAsync(Stream.Null, cancellationToken);
                await Task.Delay(2000, cancellationToken).ConfigureAwait(false);
                await session.StopAsync(cancellationToken).ConfigureAwait(false);
                await drain.ConfigureAwait(false);
                return true;
            }
            using var response = await Http.PostAsync("/gc", null, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"could not make the server collect garbage: {ex.Message}").ConfigureAwait(false);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
            }
            process.Dispose();
        }
        if (_log is { } log)
        {
            lock (log)
            {
                log.Dispose();
            }
        }
    }
}
