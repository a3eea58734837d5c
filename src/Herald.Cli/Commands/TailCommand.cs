using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary><c>herald tail</c>: follows channels live over the native WebSocket protocol, reconnecting and recovering.</summary>
internal static class TailCommand
{
    public static Command Create(Runner runner)
    {
        var channels = new Argument<string[]>("channel") { Description = "One or more channels", Arity = ArgumentArity.OneOrMore };
        var since = new Option<string?>("--since") { Description = "Start from a stream position: 0 (all history holds), an offset, or epoch:offset", HelpName = "position" };
        var filters = new Option<string[]>("--filter") { Description = "Only publications with this tag, as tag=value (repeatable; the same tag twice means either value)", HelpName = "tag=value" };
        var json = new Option<bool>("--json") { Description = "One JSON object per publication and line" };
        var count = new Option<int?>("--count") { Description = "Exit after this many publications" };
        var timeout = new Option<string?>("--timeout") { Description = "Exit with code 7 when --count publications have not come by then (90s, 5m)", HelpName = "duration" };
        var command = new Command("tail", "Follow channels live (an API key with the subscribe scope, or a user token).")
        {
            channels, since, filters, json, count, timeout,
        };
        runner.Epilogs[command] = """
            Reconnects with backoff when the connection drops and recovers from the last publication printed;
            notices about it go to standard error.

            Examples:
              herald tail org:acme workspace:acme/ws_12
              herald tail logs:acme/build_7 --since 0 --json | jq -r .data.line
              herald tail org:acme --filter status=failed --filter status=cancelled
            """;
        runner.SetAction(command, parse =>
        {
            var settings = runner.Settings(parse);
            if (settings.ApiKey is null && settings.Token is null)
            {
                throw new CliException(ExitCodes.Unauthorized, $"tail needs an API key with the subscribe scope or a user token: pass --api-key or --token, set HERALD_API_KEY or HERALD_TOKEN, or put one in the profile ({settings.ProfilePath})");
            }
            if (parse.GetValue(since) is { } position)
            {
                _ = Inputs.Position(position, "--since");
            }
            _ = Inputs.Filters(parse.GetValue(filters), "--filter");
            if (parse.GetValue(timeout) is { } wait)
            {
                _ = Durations.Parse(wait, "--timeout");
            }
            return ClientPending.Fail("tail", "HeraldClient");
        });
        return command;
    }
}
