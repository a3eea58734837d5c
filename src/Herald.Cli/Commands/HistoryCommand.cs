using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary><c>herald history</c>: a channel's history over <c>GET /api/history</c>.</summary>
internal static class HistoryCommand
{
    public static Command Create(Runner runner)
    {
        var channel = new Argument<string>("channel") { Description = "The channel" };
        var since = new Option<long?>("--since") { Description = "Only the publications after this offset, oldest first" };
        var epoch = new Option<string?>("--epoch") { Description = "With --since: the epoch the offset belongs to (another epoch is an error)" };
        var limit = new Option<int?>("--limit") { Description = "At most this many per page (1-1000)" };
        var all = new Option<bool>("--all") { Description = "Page forward until the end" };
        var json = new Option<bool>("--json") { Description = "Print the answer as JSON" };
        var command = new Command("history", "Read a channel's history (an API key, or a user token).")
        {
            channel, since, epoch, limit, all, json,
        };
        runner.Epilogs[command] = """
            Examples:
              herald history org:acme --limit 20
              herald history build:acme/http --since 0 --all --json
            """;
        runner.SetAction(command, async parse =>
        {
            var settings = runner.Settings(parse);
            RequireReader(settings, "history");
            if (parse.GetValue(limit) is < 1 or > 1000)
            {
                throw CliException.Usage("--limit must be between 1 and 1000");
            }
            var api = runner.Api(settings);
            var asJson = parse.GetValue(json);
            var name = parse.GetValue(channel)!;
            if (parse.GetValue(all))
            {
                await foreach (var publication in api.ReadHistoryAsync(name, parse.GetValue(since) ?? 0, parse.GetValue(epoch), parse.GetValue(limit), runner.Stopping).ConfigureAwait(false))
                {
                    Output.PublicationViews.From(publication).Write(runner.Console, asJson);
                }
                return ExitCodes.Ok;
            }
            var page = await api.GetHistoryAsync(name, parse.GetValue(since), parse.GetValue(epoch), parse.GetValue(limit), runner.Stopping).ConfigureAwait(false);
            foreach (var publication in page.Publications)
            {
                Output.PublicationViews.From(publication).Write(runner.Console, asJson);
            }
            if (page.HasMore && !asJson)
            {
                runner.Console.Notice("more follow: use --all, or --since the last offset");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>An API key (any scope) or a user token, for reads of history and presence.</summary>
    public static void RequireReader(Settings.ConnectionSettings settings, string verb)
    {
        if (settings.ApiKey is null && settings.Token is null)
        {
            throw new CliException(ExitCodes.Unauthorized, $"{verb} needs an API key or a user token: pass --api-key or --token, set HERALD_API_KEY or HERALD_TOKEN, or put one in the profile ({settings.ProfilePath})");
        }
    }
}
