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
        catch (Herald.Client.HeraldApiException ex)
        {
            Console.Fail(ex.Detail);
            return ExitCodeOf(ex);
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

    /// <summary>The exit code of a refused call: credentials 4, not found 5, invalid or conflicting 6, the server's own failure 1.</summary>
    public static int ExitCodeOf(Herald.Client.HeraldApiException ex) => (int)ex.Status switch
    {
        401 or 403 => ExitCodes.Unauthorized,
        404 => ExitCodes.NotFound,
        >= 500 => ExitCodes.Failed,
        _ when ex.Code is Herald.Messages.HeraldErrorCode.Unauthorized or Herald.Messages.HeraldErrorCode.PermissionDenied or Herald.Messages.HeraldErrorCode.TokenExpired => ExitCodes.Unauthorized,
        _ => ExitCodes.Rejected,
    };

    /// <summary>The HTTP API with the settings' address and credentials (both sent when both are set; the server checks the key).</summary>
    public Herald.Client.HeraldApi Api(ConnectionSettings settings) =>
        new(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, new Herald.Client.HeraldApiOptions { BaseAddress = settings.Url, ApiKey = settings.ApiKey, Token = settings.ApiKey is null ? settings.Token : null });

    private ConnectionSettings? _settings;

    /// <summary>The connection settings from the command line, the environment and the profile.</summary>
    public ConnectionSettings Settings(ParseResult parse) => _settings ??= ConnectionSettings.Resolve(
        parse.GetValue(Globals.Url), parse.GetValue(Globals.ApiKey), parse.GetValue(Globals.Token), parse.GetValue(Globals.Profile), Console.Environment);
}
