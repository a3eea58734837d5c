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
        runner.SetAction(command, async parse =>
        {
            var settings = runner.Settings(parse);
            HistoryCommand.RequireReader(settings, "presence");
            var name = parse.GetValue(channel)!;
            var users = await runner.Api(settings).GetPresenceAsync(name, runner.Stopping).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                var bytes = Herald.Messages.JsonBytes.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("channel", name);
                    Herald.Messages.History.StreamJson.WriteUsers(w, users);
                    w.WriteEndObject();
                }, 256);
                runner.Console.WriteLine(System.Text.Encoding.UTF8.GetString(bytes));
                return ExitCodes.Ok;
            }
            foreach (var user in users)
            {
                var info = user.Info.Length == 0 ? "" : "  " + System.Text.Encoding.UTF8.GetString(user.Info.Span);
                runner.Console.WriteLine($"{user.UserId}  {user.Connections} connection(s)  since {user.Since:u}{info}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
