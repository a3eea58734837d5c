using Herald.Client;
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
        runner.SetAction(command, async parse =>
        {
            var settings = runner.Settings(parse);
            if (settings.ApiKey is null && settings.Token is null)
            {
                throw new CliException(ExitCodes.Unauthorized, $"tail needs an API key with the subscribe scope or a user token: pass --api-key or --token, set HERALD_API_KEY or HERALD_TOKEN, or put one in the profile ({settings.ProfilePath})");
            }
            (long Offset, string? Epoch)? start = parse.GetValue(since) is { } position ? Inputs.Position(position, "--since") : null;
            var tagFilters = Inputs.Filters(parse.GetValue(filters), "--filter")?.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(runner.Stopping);
            if (parse.GetValue(timeout) is { } wait)
            {
                deadline.CancelAfter(Durations.Parse(wait, "--timeout"));
            }
            var asJson = parse.GetValue(json);
            var limit = parse.GetValue(count);
            await using var client = new HeraldClient(new HeraldClientOptions { Url = settings.Url, ApiKey = settings.ApiKey, Token = settings.ApiKey is null ? settings.Token : null });
            var connected = false;
            client.StateChanged += change =>
            {
                if (change.State == HeraldClientState.Disconnected && connected)
                {
                    runner.Console.Notice($"reconnecting… ({change.Reason})");
                }
                else if (change.State == HeraldClientState.Connected)
                {
                    if (connected)
                    {
                        runner.Console.Notice("reconnected");
                    }
                    connected = true;
                }
            };
            client.Subscribed += e =>
            {
                if (e.Resubscribed && e.Recovered == false)
                {
                    runner.Console.Notice($"reconnected: what {e.Channel} published meanwhile could not be recovered");
                }
            };
            try
            {
                await client.ConnectAsync(deadline.Token).ConfigureAwait(false);
                foreach (var name in parse.GetValue(channels)!)
                {
                    await client.SubscribeAsync(name, tagFilters, start?.Offset, start?.Epoch, deadline.Token).ConfigureAwait(false);
                }
                runner.Console.Notice($"following {string.Join(", ", parse.GetValue(channels)!)}");
                var printed = 0;
                await foreach (var publication in client.ReadAllAsync(deadline.Token).ConfigureAwait(false))
                {
                    Output.PublicationViews.From(publication).Write(runner.Console, asJson);
                    if (limit is { } n && ++printed >= n)
                    {
                        return ExitCodes.Ok;
                    }
                }
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !runner.Stopping.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Timeout, $"{limit} publications had not come after {parse.GetValue(timeout)}");
            }
            catch (HeraldClientException ex)
            {
                throw new CliException(ex.Code is 101 or 103 or 109 or (>= 3500 and <= 3999) ? ExitCodes.Unauthorized : ExitCodes.Failed, ex.Message, ex);
            }
        });
        return command;
    }
}
