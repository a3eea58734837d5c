using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary><c>herald presence</c>: who is in a channel, over <c>GET /api/presence</c>.</summary>
internal static class PresenceCommand
{
    public static Command Create(Runner runner)
    {
        var channel = new Argument<string>("channel") { Description = "A channel whose namespace keeps presence, such as workspace:acme/ws_12" };
        var json = new Option<bool>("--json") { Description = "Print the answer as JSON" };
        var command = new Command("presence", "Show who is in a channel (an API key, or a user token).") { channel, json };
        runner.Epilogs[command] = """
            Example:
              herald presence workspace:acme/ws_12
            """;
        runner.SetAction(command, parse =>
        {
            HistoryCommand.RequireReader(runner.Settings(parse), "presence");
            return ClientPending.Fail("presence", "HeraldApi");
        });
        return command;
    }
}
