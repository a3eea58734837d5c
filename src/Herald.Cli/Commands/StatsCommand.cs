using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary><c>herald stats</c>: the server's figures, live on a terminal, once otherwise.</summary>
internal static class StatsCommand
{
    public static Command Create(Runner runner)
    {
        var once = new Option<bool>("--once") { Description = "Print once and exit (always so when the output is not a terminal)" };
        var interval = new Option<string>("--interval") { Description = "How often the live view refreshes [default 2s]", DefaultValueFactory = _ => "2s", HelpName = "duration" };
        var json = new Option<bool>("--json") { Description = "Print the answer as JSON, once" };
        var command = new Command("stats", "Show the server's figures, live on a terminal (an API key with the admin scope).") { once, interval, json };
        runner.Epilogs[command] = """
            Examples:
              herald stats
              herald stats --once --json | jq .totals.connections
            """;
        runner.SetAction(command, async parse =>
        {
            var settings = runner.Settings(parse);
            settings.RequireApiKey("stats");
            var every = Durations.Parse(parse.GetValue(interval)!, "--interval");
            var api = runner.Api(settings);
            var live = runner.Console.OutputIsTerminal && !parse.GetValue(once) && !parse.GetValue(json);
            while (true)
            {
                var stats = await api.GetStatsAsync(runner.Stopping).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    runner.Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(stats, Herald.Client.HeraldJson.Options));
                    return ExitCodes.Ok;
                }
                runner.Console.WriteLine($"node {stats.Node}  up {stats.UptimeSeconds:0}s");
                runner.Console.WriteLine($"connections {stats.Connections}  users {stats.Users}  channels {stats.Channels}  subscriptions {stats.Subscriptions}");
                runner.Console.WriteLine($"messagesIn {stats.MessagesIn}  messagesOut {stats.MessagesOut}  publications {stats.Publications}  dropped {stats.Dropped}  slowConsumers {stats.SlowConsumers}");
                if (stats.Nodes.Count > 1)
                {
                    runner.Console.WriteLine($"cluster: {stats.Totals.Nodes} nodes, {stats.Totals.Connections} connections, {stats.Totals.Publications} publications");
                }
                if (!live)
                {
                    return ExitCodes.Ok;
                }
                await Task.Delay(every, runner.Stopping).ConfigureAwait(false);
                runner.Console.WriteLine("");
            }
        });
        return command;
    }
}
