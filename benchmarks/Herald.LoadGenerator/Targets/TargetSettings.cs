using System.Net;
using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Wire;

namespace Herald.LoadGenerator.Targets;

/// <summary>How to reach (or start) the server under test. Read from the command line.</summary>
public sealed record TargetSettings
{
    public required TargetKind Kind { get; init; }

    public required WireProtocol Protocol { get; init; }

    /// <summary>Attach to a running server at this URL instead of starting one.</summary>
    public Uri? Url { get; init; }

    /// <summary>The attached server's process id, for RSS and CPU from /proc.</summary>
    public int? Pid { get; init; }

    public required string ApiKey { get; init; }

    public required string JwtSecret { get; init; }

    public required string RepoRoot { get; init; }

    /// <summary>Seconds between server heartbeats (both servers are configured alike).</summary>
    public double HeartbeatSeconds { get; init; } = 10;

    /// <summary>History kept per channel of the <c>bench</c> namespace on Herald (0: none, the default).</summary>
    public int HistorySize { get; init; }

    public required IReadOnlyList<IPAddress> Sources { get; init; }

    /// <summary>Before each measurement, wait until other processes use at most this many cores…</summary>
    public double QuietMaxOtherCores { get; init; } = 0.25;

    /// <summary>…but no longer than this many seconds.</summary>
    public double QuietMaxWaitSeconds { get; init; } = 45;

    /// <summary>Niceness of the started server (the generator's own is set by whoever starts it); 0 leaves it alone.</summary>
    public int Nice { get; init; }

    /// <summary>Extra environment for the started server, as <c>KEY=VALUE;KEY=VALUE</c>.</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

    public string HeraldDll => Path.Combine(RepoRoot, "src", "Herald.Server", "bin", "Release", "net10.0", "Herald.Server.dll");

    public string NodeScript => Path.Combine(RepoRoot, "benchmarks", "socketio-server", "server.js");

    public string Name => Kind == TargetKind.Herald ? (Protocol == WireProtocol.Native ? "herald" : "herald-socketio") : "socketio";

    public static TargetSettings From(Options options, TargetKind? kind = null)
    {
        var target = kind ?? (options.String("target", "herald") switch
        {
            "herald" => TargetKind.Herald,
            "socketio" or "socket.io" or "node" => TargetKind.SocketIO,
            var other => throw new ArgumentException($"--target must be herald or socketio, not '{other}'"),
        });
        var protocol = options.String("protocol") switch
        {
            null => target == TargetKind.Herald ? WireProtocol.Native : WireProtocol.SocketIO,
            "native" => WireProtocol.Native,
            "socketio" => WireProtocol.SocketIO,
            var other => throw new ArgumentException($"--protocol must be native or socketio, not '{other}'"),
        };
        if (target == TargetKind.SocketIO && protocol == WireProtocol.Native)
        {
            throw new ArgumentException("the Socket.IO server speaks only --protocol socketio");
        }
        var sourceCount = options.Int("source-addresses", 4);
        return new TargetSettings
        {
            Kind = target,
            Protocol = protocol,
            Url = options.String("url") is { } url ? new Uri(url) : null,
            Pid = options.String("pid") is { } pid ? int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture) : null,
            ApiKey = options.String("api-key", "hk_bench_0123456789abcdef0123456789abcdef"),
            JwtSecret = options.String("jwt-secret", "herald-benchmark-secret-0123456789abcdef"),
            RepoRoot = options.String("repo") ?? FindRepoRoot(),
            HeartbeatSeconds = options.Double("heartbeat", 10),
            HistorySize = options.Int("history", 0),
            QuietMaxOtherCores = options.Double("quiet-max-other-cores", 0.25),
            QuietMaxWaitSeconds = options.Double("quiet-max-wait", 45),
            Nice = options.Int("nice", 0),
            ServerEnvironment = (options.String("server-env") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : "", StringComparer.Ordinal),
            Sources = Enumerable.Range(1, Math.Max(1, sourceCount)).Select(i => IPAddress.Parse($"127.0.0.{i}")).ToArray(),
        };
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Herald.slnx")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("cannot find the repository (Herald.slnx); pass --repo");
    }
}
