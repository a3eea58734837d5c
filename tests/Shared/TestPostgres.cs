using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Herald.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster for tests: <c>initdb</c> in a temporary folder, the server on a
/// free loopback port, run as the <c>postgres</c> user when the tests run as root (the server
/// refuses root). <see cref="SharedAsync"/> gives one cluster per test process, with a fresh
/// database per caller; <see cref="StartDedicatedAsync"/> one of its own for tests that stop and
/// restart the server. Binaries come from Debian's <c>postgresql</c> package (the test command
/// installs it when missing).
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    private static readonly SemaphoreSlim SharedLock = new(1, 1);
    private static TestPostgres? _shared;
    private static int _databases;

    private readonly string _directory;
    private readonly string _bin;
    private readonly bool _asPostgres;
    private readonly bool _durable;
    private bool _stopped = true;

    private TestPostgres(string directory, string bin, int port, bool asPostgres, bool durable)
    {
        _directory = directory;
        _bin = bin;
        Port = port;
        _asPostgres = asPostgres;
        _durable = durable;
    }

    /// <summary>The loopback port the server listens on (the same across restarts).</summary>
    public int Port { get; }

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>The cluster shared by every test of this process, started on first use and stopped when the process exits.</summary>
    public static async Task<TestPostgres> SharedAsync()
    {
        await SharedLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_shared is null)
            {
                RemoveLeftovers();
                var shared = await StartNewAsync(durable: false).ConfigureAwait(false);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => shared.DisposeAsync().AsTask().GetAwaiter().GetResult();
                _shared = shared;
            }
            return _shared;
        }
        finally
        {
            SharedLock.Release();
        }
    }

    /// <summary>A cluster of the caller's own (disposing it stops it and deletes its files), with fsync on as in production.</summary>
    public static Task<TestPostgres> StartDedicatedAsync() => StartNewAsync(durable: true);

    /// <summary>A connection string to the maintenance database <c>postgres</c>.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "herald",
        Database = database,
        Pooling = true,
        Timeout = 5,
        CommandTimeout = 30,
    }.ConnectionString;

    /// <summary>Creates a fresh, empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= $"herald_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using var connection = new NpgsqlConnection(AdminConnectionString + ";Pooling=false");
        await connection.OpenAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return ConnectionString(name);
    }

    /// <summary>Stops the server: <c>fast</c> (clients are disconnected, a clean shutdown) or <c>immediate</c> (like a crash: recovery from WAL at the next start).</summary>
    public async Task StopAsync(string mode = "fast")
    {
        if (_stopped)
        {
            return;
        }
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", mode, "-w", "-t", "60", "stop"]).ConfigureAwait(false);
        _stopped = true;
    }

    /// <summary>Starts the server again on the same port and data.</summary>
    public async Task StartAsync()
    {
        if (!_stopped)
        {
            return;
        }
        var options = $"-c listen_addresses=127.0.0.1 -p {Port} -k {_directory} -c max_connections=400 -c shared_buffers=64MB"
            + (_durable ? "" : " -c fsync=off -c full_page_writes=off -c synchronous_commit=off");
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-o", options, "-w", "-t", "60", "start"]).ConfigureAwait(false);
        _stopped = false;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync("immediate").ConfigureAwait(false);
        }
        finally
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static async Task<TestPostgres> StartNewAsync(bool durable)
    {
        var bin = FindBinaries();
        var asPostgres = Environment.UserName == "root";
        var directory = Path.Combine(Path.GetTempPath(), $"herald-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(directory);
        if (asPostgres)
        {
            await RunAsync("chown", ["postgres:postgres", directory], asPostgres: false).ConfigureAwait(false);
        }
        var server = new TestPostgres(directory, bin, FreePort(), asPostgres, durable);
        await server.RunAsync(Path.Combine(bin, "initdb"), ["-D", server.DataDirectory, "-U", "herald", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"]).ConfigureAwait(false);
        await server.StartAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Deletes the folders of clusters whose test process is gone (a process that is killed cannot clean up after itself).</summary>
    private static void RemoveLeftovers()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), "herald-pg-*"))
        {
            var parts = Path.GetFileName(directory).Split('-');
            if (parts.Length < 3 || !int.TryParse(parts[2], out var pid) || Directory.Exists($"/proc/{pid}"))
            {
                continue;
            }
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static string FindBinaries()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL is not installed: the tests need Debian's postgresql package (apt-get install postgresql), which scripts/test.sh installs.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunAsync(string file, string[] arguments) => RunAsync(file, arguments, _asPostgres);

    private static async Task RunAsync(string file, string[] arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/tmp",
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }
    }
}
