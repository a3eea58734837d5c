using System.CommandLine;
using System.Net.Http;
using System.Net.Sockets;
using Herald.Cli.Output;
using Herald.Cli.Settings;

namespace Herald.Cli;

/// <summary>
/// What a verb runs with: the console, the parsed command line, the connection settings (resolved
/// on first use, so verbs that need none never read a profile), the cancellation of Ctrl+C. Maps
/// every failure to its exit code in one place.
/// </summary>
internal sealed class Runner(CliConsole console, GlobalOptions globals, CancellationToken stopping)
{
    public CliConsole Console { get; } = console;

    public GlobalOptions Globals { get; } = globals;

    public CancellationToken Stopping { get; } = stopping;

    /// <summary>Text shown at the end of a command's help: examples, notes, exit codes.</summary>
    public Dictionary<Command, string> Epilogs { get; } = [];

    /// <summary>Sets a verb's action: runs it, and turns what it throws into a message and an exit code.</summary>
    public void SetAction(Command command, Func<ParseResult, Task<int>> run) =>
        command.SetAction((parse, _) => RunAsync(parse, run));

    private async Task<int> RunAsync(ParseResult parse, Func<ParseResult, Task<int>> run)
    {
        try
        {
            return await run(parse).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (Stopping.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (CliException ex)
        {
            Console.Fail(ex.Message);
            return ex.ExitCode;
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null)
        {
            Console.Fail($"cannot reach the server: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (SocketException ex)
        {
            Console.Fail($"cannot reach the server: {ex.Message}");
            return ExitCodes.Unreachable;
        }
        catch (TaskCanceledException ex) when (!Stopping.IsCancellationRequested)
        {
            Console.Fail($"the server did not answer in time: {ex.Message}");
            return ExitCodes.Unreachable;
        }
    }

    private ConnectionSettings? _settings;

    /// <summary>The connection settings from the command line, the environment and the profile.</summary>
    public ConnectionSettings Settings(ParseResult parse) => _settings ??= ConnectionSettings.Resolve(
        parse.GetValue(Globals.Url), parse.GetValue(Globals.ApiKey), parse.GetValue(Globals.Token), parse.GetValue(Globals.Profile), Console.Environment);
}
