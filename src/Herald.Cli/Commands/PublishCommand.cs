using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary><c>herald publish</c>: one publication (or one per line of standard input) over <c>POST /api/publish</c>.</summary>
internal static class PublishCommand
{
    public static Command Create(Runner runner)
    {
        var channel = new Argument<string>("channel") { Description = "The channel, such as org:acme or workspace:acme/ws_12" };
        var type = new Argument<string>("type") { Description = "The publication type, such as workspace.status" };
        var data = new Argument<string?>("data") { Description = "The data, as JSON; without it (or with -) it is read from standard input", Arity = ArgumentArity.ZeroOrOne };
        var tags = new Option<string[]>("--tag") { Description = "A tag that filters match, as key=value (repeatable)", HelpName = "key=value" };
        var key = new Option<string?>("--key") { Description = "The latest-state key (on namespaces that keep latest state)" };
        var lines = new Option<bool>("--lines") { Description = "Read standard input as JSON lines: each line is the data of one publication" };
        var json = new Option<bool>("--json") { Description = "Print the server's answer as JSON (one line per publication)" };
        var command = new Command("publish", "Publish into a channel (needs an API key with the publish scope).")
        {
            channel, type, data, tags, key, lines, json,
        };
        runner.Epilogs[command] = """
            Examples:
              herald publish org:acme workspace.status '{"status":"RUNNING"}' --tag status=running --key ws_12
              echo '{"status":"STOPPED"}' | herald publish org:acme workspace.status
              herald publish logs:acme/build_7 log_entry --lines < build.log.jsonl

            Prints: published <channel> <type> offset <n> (epoch <e>) <id>
            """;
        runner.SetAction(command, async parse =>
        {
            var settings = runner.Settings(parse);
            settings.RequireApiKey("publish");
            var tagValues = Inputs.Pairs(parse.GetValue(tags), "--tag");
            var asJson = parse.GetValue(json);
            var api = runner.Api(settings);
            var target = parse.GetValue(channel)!;
            var kind = parse.GetValue(type)!;
            if (!parse.GetValue(lines))
            {
                var text = Inputs.ReadJson(parse.GetValue(data), runner.Console, "the data");
                Report(runner, asJson, await api.PublishAsync(target, kind, text, tagValues, parse.GetValue(key), cancellationToken: runner.Stopping).ConfigureAwait(false));
                return ExitCodes.Ok;
            }
            if (parse.GetValue(data) is not null)
            {
                throw CliException.Usage("--lines reads the data from standard input: give no data argument");
            }
            var count = 0;
            while (await runner.Console.In.ReadLineAsync(runner.Stopping).ConfigureAwait(false) is { } line)
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }
                var text = Inputs.CheckJson(line, $"line {count + 1}");
                var result = await api.PublishAsync(target, kind, text, tagValues, parse.GetValue(key), cancellationToken: runner.Stopping).ConfigureAwait(false);
                count++;
                if (asJson)
                {
                    Report(runner, true, result);
                }
            }
            if (!asJson)
            {
                runner.Console.WriteLine($"published {count} publications into {target}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Report(Runner runner, bool json, Herald.Client.PublishResult result)
    {
        if (json)
        {
            runner.Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(result, Herald.Client.HeraldJson.Options));
            return;
        }
        var position = result.Offset is { } offset ? $"offset {offset} (epoch {result.Epoch})" : "offset - (no stream)";
        runner.Console.WriteLine($"published {result.Channel} {result.Type} {position} {result.Id}");
    }
}
