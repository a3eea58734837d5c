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
        runner.SetAction(command, parse =>
        {
            runner.Settings(parse).RequireApiKey("stats");
            _ = Durations.Parse(parse.GetValue(interval)!, "--interval");
            return ClientPending.Fail("stats", "HeraldApi");
        });
        return command;
    }
}
