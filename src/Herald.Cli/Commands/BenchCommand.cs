using System.CommandLine;
using System.Diagnostics;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald bench</c>: runs a scenario of the load generator (benchmarks/Herald.LoadGenerator) as
/// its own process, with its options passed on unchanged. It needs a Herald source tree, where
/// the generator lives and whose server it builds and starts (unless <c>--url</c> names one).
/// </summary>
internal static class BenchCommand
{
    /// <summary>What the load generator runs (its own commands).</summary>
    public static readonly string[] Scenarios = ["fanout", "latency", "idle", "connect", "channels", "cluster", "compare", "machine", "report"];

    private const string LoadGenerator = "benchmarks/Herald.LoadGenerator";

    public static Command Create(Runner runner)
    {
        var scenario = new Argument<string>("scenario") { Description = "fanout, latency, idle, connect, channels, cluster, compare, machine or report" };
        scenario.AcceptOnlyFromAmong(Scenarios);
        var repo = new Option<DirectoryInfo?>("--repo") { Description = "The Herald source tree [env HERALD_REPO; default: the one the current directory is in]", HelpName = "dir" };
        var command = new Command("bench", "Run a scenario of the load generator (benchmarks/Herald.LoadGenerator).")
        {
            scenario, repo,
        };
        runner.Epilogs[command] = """
            Every other option is passed on to the load generator (its options: docs/benchmarks.md).
            By default it builds and starts its own Release server from this source tree; with --url it
            measures that server instead, with --api-key and the JWT secret of HERALD_JWT_SECRET or the profile.
            Its progress goes to standard error, its results to standard output and benchmarks/results/.

            Examples:
              herald bench latency --subscribers 500 --duration 10
              herald bench connect --connections 2000 --url http://127.0.0.1:5080 --api-key hk_…
              herald bench compare --scenarios fanout,latency

            Exit codes: 0 done, 1 failed, 2 bad options, 7 its --timeout-minutes ran out.
            """;
        command.TreatUnmatchedTokensAsErrors = false;
        runner.SetAction(command, async parse =>
        {
            var root = FindRepository(parse.GetValue(repo)?.FullName ?? NullIfEmpty(runner.Console.Environment("HERALD_REPO")));
            var args = new List<string> { parse.GetValue(scenario)! };
            args.AddRange(parse.UnmatchedTokens);
            if (parse.GetResult(runner.Globals.Url) is not null)
            {
                var settings = runner.Settings(parse);
                args.AddRange(["--url", settings.Url.ToString().TrimEnd('/')]);
                if (settings.ApiKey is { } key)
                {
                    args.AddRange(["--api-key", key]);
                }
                if (settings.JwtSecret is { } secret)
                {
                    args.AddRange(["--jwt-secret", secret]);
                }
            }
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, WorkingDirectory = root };
            if (NullIfEmpty(runner.Console.Environment("HERALD_LOADGEN")) is { } dll)
            {
                // A built generator (the tests point at theirs): no build step.
                info.ArgumentList.Add(dll);
            }
            else
            {
                runner.Console.Notice($"building and starting the load generator ({LoadGenerator}, Release)…");
                foreach (var arg in new[] { "run", "-c", "Release", "--project", Path.Combine(root, LoadGenerator), "--" })
                {
                    info.ArgumentList.Add(arg);
                }
            }
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }
            // The generator writes its progress to standard error and its results to standard output, straight to ours.
            using var process = Process.Start(info) ?? throw new CliException(ExitCodes.Failed, "could not start dotnet");
            try
            {
                await process.WaitForExitAsync(runner.Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C reached the generator too (same process group): let it stop its servers, then make sure.
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                }
                throw;
            }
            return process.ExitCode switch
            {
                0 => ExitCodes.Ok,
                2 => ExitCodes.Usage,
                3 => ExitCodes.Timeout,
                _ => ExitCodes.Failed,
            };
        });
        return command;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The source tree: the given directory, else the first parent of the current one (or of this program) that holds the load generator.</summary>
    private static string FindRepository(string? given)
    {
        if (given is not null)
        {
            return Directory.Exists(Path.Combine(given, LoadGenerator))
                ? given
                : throw CliException.Usage($"'{given}' is not a Herald source tree: {LoadGenerator} is not in it");
        }
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, LoadGenerator)))
                {
                    return dir.FullName;
                }
            }
        }
        throw CliException.Usage($"bench runs the load generator of a Herald source tree: run it inside one, or pass --repo DIR (or set HERALD_REPO)");
    }
}
