using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary><c>herald notify</c>: a notification to a user's or an organisation's inbox, over <c>POST /api/notifications</c>.</summary>
internal static class NotifyCommand
{
    public static Command Create(Runner runner)
    {
        var user = new Option<string?>("--user") { Description = "The recipient user" };
        var org = new Option<string?>("--org") { Description = "The recipient organisation (every member)" };
        var title = new Option<string>("--title") { Description = "The title (at most 256 characters)", Required = true };
        var message = new Option<string>("--message") { Description = "The text (at most 4096 characters)", Required = true };
        var level = new Option<string>("--level") { Description = "info, success, warning or error [default info]", DefaultValueFactory = _ => "info" };
        level.AcceptOnlyFromAmong("info", "success", "warning", "error");
        var link = new Option<string?>("--link") { Description = "A link the inbox opens" };
        var data = new Option<string?>("--data") { Description = "Any JSON the application reads" };
        var json = new Option<bool>("--json") { Description = "Print the stored notification as JSON" };
        var command = new Command("notify", "Send a notification to a user or an organisation (an API key with the publish scope).")
        {
            user, org, title, message, level, link, data, json,
        };
        runner.Epilogs[command] = """
            Examples:
              herald notify --user alice --title "Backup done" --message "ws_12 was backed up" --level success
              herald notify --org acme --title Maintenance --message "22:00 UTC" --level warning
            """;
        runner.SetAction(command, async parse =>
        {
            runner.Settings(parse).RequireApiKey("notify");
            if ((parse.GetValue(user) is null) == (parse.GetValue(org) is null))
            {
                throw CliException.Usage("give exactly one of --user and --org");
            }
            System.Text.Json.JsonElement? payload = null;
            if (parse.GetValue(data) is { } text)
            {
                using var document = System.Text.Json.JsonDocument.Parse(Inputs.CheckJson(text, "--data"));
                payload = document.RootElement.Clone();
            }
            var sent = await runner.Api(runner.Settings(parse)).SendNotificationAsync(new Herald.Client.NotificationRequest
            {
                User = parse.GetValue(user),
                Org = parse.GetValue(org),
                Title = parse.GetValue(title)!,
                Message = parse.GetValue(message)!,
                Level = parse.GetValue(level),
                Link = parse.GetValue(link),
                Data = payload,
            }, runner.Stopping).ConfigureAwait(false);
            runner.Console.WriteLine(parse.GetValue(json)
                ? System.Text.Json.JsonSerializer.Serialize(sent, Herald.Client.HeraldJson.Options)
                : sent.Id);
            return ExitCodes.Ok;
        });
        return command;
    }
}
