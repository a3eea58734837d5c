using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using Herald.Cli.Commands;
using Herald.Cli.Output;

namespace Herald.Cli;

/// <summary>
/// The <c>herald</c> command line: one verb per task, the connection settings every verb shares,
/// and one mapping of failures to exit codes (<see cref="ExitCodes"/>).
/// </summary>
internal static class HeraldCli
{
    /// <summary>Runs the command line on the process's console; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, CliConsole.System());

    internal static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        using var cancellation = new CancellationTokenSource();
        var runner = new Runner(console, new GlobalOptions(), cancellation.Token);
        var root = Build(runner);
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                console.Fail(error.Message);
            }
            var verb = parse.CommandResult.Command;
            console.Error.WriteLine($"Run 'herald {(verb == root ? "" : Path(verb) + " ")}--help' for usage.");
            return ExitCodes.Usage;
        }
        if (parse.GetValue(runner.Globals.NoColor))
        {
            console.NoColorRequested = true;
        }
        // serve leaves SIGINT and SIGTERM to the server's host, which shuts down gracefully; every other
        // verb stops its work and exits with 130.
        var signals = parse.CommandResult.Command is { Name: ServeCommand.Name } ? [] : new[]
        {
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop),
        };
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            foreach (var signal in signals)
            {
                signal.Dispose();
            }
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancellation.Cancel();
        }
    }

    /// <summary>The standard help, then the command's epilog.</summary>
    private sealed class EpilogHelpAction(HelpAction help, Dictionary<Command, string> epilogs) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var result = help.Invoke(parseResult);
            if (epilogs.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(text.TrimEnd());
                output.WriteLine();
            }
            return result;
        }
    }

    private static string Path(Command command) => command.Parents.OfType<Command>().FirstOrDefault() is { } parent && parent is not RootCommand
        ? Path(parent) + " " + command.Name
        : command.Name;

    internal static RootCommand Build(Runner runner)
    {
        var globals = runner.Globals;
        var root = new RootCommand("herald: run a Herald server, publish to and follow its channels, and manage it, from a terminal or a script.");
        runner.Epilogs[root] = """
            Connection settings, first found wins:
              --url, --api-key, --token; HERALD_URL, HERALD_API_KEY, HERALD_TOKEN;
              the profile file (--profile, HERALD_PROFILE, default ~/.config/herald/profile.json):
                {"url":"http://127.0.0.1:5080","apiKey":"hk_…","token":"eyJ…","jwtSecret":"…"}

            Exit codes: 0 ok, 1 failed, 2 usage, 3 server unreachable, 4 unauthorized, 5 not found,
            6 rejected by the server, 7 timed out, 130 interrupted. Run 'herald <command> --help' for each command.
            """;
        foreach (var option in globals.All)
        {
            root.Options.Add(option);
        }
        root.Subcommands.Add(ServeCommand.Create(runner));
        root.Subcommands.Add(PublishCommand.Create(runner));
        root.Subcommands.Add(TailCommand.Create(runner));
        root.Subcommands.Add(HistoryCommand.Create(runner));
        root.Subcommands.Add(PresenceCommand.Create(runner));
        root.Subcommands.Add(StatsCommand.Create(runner));
        root.Subcommands.Add(TokenCommand.Create(runner));
        root.Subcommands.Add(ApiKeyCommand.Create(runner));
        root.Subcommands.Add(OpsCommand.Create(runner));
        root.Subcommands.Add(NotifyCommand.Create(runner));
        root.Subcommands.Add(BenchCommand.Create(runner));
        // Each verb's help ends with its examples and notes (Runner.Epilogs).
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is { Action: HelpAction help } helpOption)
        {
            helpOption.Action = new EpilogHelpAction(help, runner.Epilogs);
        }
        return root;
    }
}
