using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;

namespace Herald.Cli.Tests.Infrastructure;

/// <summary>What one run of <c>herald</c> ended with.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";

    /// <summary>Standard output as JSON (a verb run with --json).</summary>
    public JsonElement Json => JsonDocument.Parse(Stdout).RootElement.Clone();

    /// <summary>Standard output as JSON lines.</summary>
    public IReadOnlyList<JsonElement> JsonLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
}

/// <summary>
/// Runs the built <c>herald</c> as its own process with redirected streams, as a script would: a
/// HOME of its own (no profile of the machine's user) and none of the HERALD_* variables of the
/// test process unless a test sets them. Every wait is bounded.
/// </summary>
public sealed class HeraldProcess : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _errorLines = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private HeraldProcess(Process process) => _process = process;

    /// <summary>A fresh home directory for the runs of one test (profiles go in its .config/herald).</summary>
    public static string NewHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "herald-cli-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        return home;
    }

    /// <summary>Runs to the end; standard input gets <paramref name="stdin"/> and is closed.</summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        await using var cli = Start(args, environment, redirectInput: true);
        if (stdin is not null)
        {
            await cli._process.StandardInput.WriteAsync(stdin);
        }
        cli._process.StandardInput.Close();
        return await cli.WaitForExitAsync(timeout ?? Timeout);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>Starts a run that goes on (tail, serve); read its lines as they come.</summary>
    public static HeraldProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, bool redirectInput = true)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "herald.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("HERALD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Herald__", StringComparison.OrdinalIgnoreCase) || k is "NO_COLOR" or "XDG_CONFIG_HOME").ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["HOME"] = NewHome();
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var cli = new HeraldProcess(process);
        process.OutputDataReceived += (_, e) => cli.OnLine(e.Data, cli._stdout, cli._lines, cli._stdoutClosed);
        process.ErrorDataReceived += (_, e) => cli.OnLine(e.Data, cli._stderr, cli._errorLines, cli._stderrClosed);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    private void OnLine(string? line, StringBuilder all, Channel<string> lines, TaskCompletionSource closed)
    {
        if (line is null)
        {
            lines.Writer.TryComplete();
            closed.TrySetResult();
            return;
        }
        lock (all)
        {
            all.AppendLine(line);
        }
        lines.Writer.TryWrite(line);
    }

    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    /// <summary>The next line of standard output that matches, skipping the others.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null) => WaitAsync(_lines, match, timeout, "standard output");

    /// <summary>The next line of standard error that matches, skipping the others.</summary>
    public Task<string> WaitForErrorLineAsync(Func<string, bool> match, TimeSpan? timeout = null) => WaitAsync(_errorLines, match, timeout, "standard error");

    private async Task<string> WaitAsync(Channel<string> lines, Func<string, bool> match, TimeSpan? timeout, string stream)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            while (true)
            {
                var line = await lines.Reader.ReadAsync(cts.Token);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException($"no matching line on {stream} ({(ex is OperationCanceledException ? "timed out" : "closed")})\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}");
        }
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public void Interrupt()
    {
        if (Kill(_process.Id, 2) != 0)
        {
            throw new InvalidOperationException("kill(SIGINT) failed");
        }
    }

    /// <summary>Sends SIGTERM.</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException("kill(SIGTERM) failed");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    public async Task<CliResult> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"herald did not exit in time\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}");
        }
        return new CliResult(_process.ExitCode, Stdout, Stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}
