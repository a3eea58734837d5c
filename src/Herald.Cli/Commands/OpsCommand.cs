using System.Text.Json;
using Herald.Client;
using System.CommandLine;

namespace Herald.Cli.Commands;

/// <summary><c>herald ops</c>: long-running operations: list, watch, cancel, retry.</summary>
internal static class OpsCommand
{
    public static Command Create(Runner runner)
    {
        var command = new Command("ops", "List, watch, cancel and retry long-running operations (an API key with the operations scope, or a user token).");

        var org = new Option<string?>("--org") { Description = "The organisation (API keys; a user token lists its own)" };
        var resource = new Option<string?>("--resource") { Description = "Only the operations of this resource channel" };
        var status = new Option<string>("--status") { Description = "active (pending and running) or all [default all]", DefaultValueFactory = _ => "all" };
        status.AcceptOnlyFromAmong("active", "all");
        var limit = new Option<int>("--limit") { Description = "At most this many (1-1000) [default 100]", DefaultValueFactory = _ => 100 };
        var listJson = new Option<bool>("--json") { Description = "Print the answer as JSON" };
        var list = new Command("list", "List operations, newest first.") { org, resource, status, limit, listJson };
        runner.SetAction(list, async parse =>
        {
            var settings = runner.Settings(parse);
            RequireCredentials(settings);
            var items = await runner.Api(settings).ListOperationsAsync(parse.GetValue(org), parse.GetValue(resource), parse.GetValue(status) == "active", parse.GetValue(limit), runner.Stopping).ConfigureAwait(false);
            if (parse.GetValue(listJson))
            {
                runner.Console.WriteLine(JsonSerializer.Serialize(new OperationList(items), HeraldJson.Options));
                return ExitCodes.Ok;
            }
            foreach (var operation in items)
            {
                runner.Console.WriteLine(Line(operation));
            }
            return ExitCodes.Ok;
        });

        var watchId = new Argument<string>("id") { Description = "The operation's id (op_…)" };
        var interval = new Option<string>("--interval") { Description = "How often to look [default 1s]", DefaultValueFactory = _ => "1s", HelpName = "duration" };
        var timeout = new Option<string?>("--timeout") { Description = "Exit with code 7 if it has not ended by then", HelpName = "duration" };
        var watchJson = new Option<bool>("--json") { Description = "One JSON object per change" };
        var watch = new Command("watch", "Follow an operation until it ends: exit 0 when it completed, 1 when it failed or was cancelled.") { watchId, interval, timeout, watchJson };
        runner.SetAction(watch, async parse =>
        {
            var settings = runner.Settings(parse);
            RequireCredentials(settings);
            var every = Durations.Parse(parse.GetValue(interval)!, "--interval");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(runner.Stopping);
            if (parse.GetValue(timeout) is { } wait)
            {
                deadline.CancelAfter(Durations.Parse(wait, "--timeout"));
            }
            var api = runner.Api(settings);
            var asJson = parse.GetValue(watchJson);
            DateTimeOffset? seen = null;
            try
            {
                while (true)
                {
                    var operation = await api.GetOperationAsync(parse.GetValue(watchId)!, deadline.Token).ConfigureAwait(false);
                    if (operation.UpdatedAt != seen)
                    {
                        seen = operation.UpdatedAt;
                        runner.Console.WriteLine(asJson ? JsonSerializer.Serialize(operation, HeraldJson.Options) : Line(operation));
                    }
                    if (operation.IsFinal)
                    {
                        return operation.Status == OperationStatus.Completed ? ExitCodes.Ok : ExitCodes.Failed;
                    }
                    await Task.Delay(every, deadline.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !runner.Stopping.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Timeout, $"the operation had not ended after {parse.GetValue(timeout)}");
            }
        });

        command.Subcommands.Add(list);
        command.Subcommands.Add(watch);
        command.Subcommands.Add(Simple(runner, "cancel", "Ask an operation's worker to stop (it sets cancelRequested)."));
        command.Subcommands.Add(Simple(runner, "retry", "Start a failed operation again, as a new one."));
        runner.Epilogs[command] = """
            Examples:
              herald ops list --org acme --status active
              herald ops watch op_08df4835118f6f18a2989f9f
              herald ops cancel op_08df4835118f6f18a2989f9f
            """;
        return command;
    }

    private static Command Simple(Runner runner, string name, string description)
    {
        var id = new Argument<string>("id") { Description = "The operation's id (op_…)" };
        var json = new Option<bool>("--json") { Description = "Print the operation as JSON" };
        var command = new Command(name, description) { id, json };
        runner.SetAction(command, async parse =>
        {
            var settings = runner.Settings(parse);
            RequireCredentials(settings);
            var api = runner.Api(settings);
            var operation = name == "cancel"
                ? await api.CancelOperationAsync(parse.GetValue(id)!, runner.Stopping).ConfigureAwait(false)
                : await api.RetryOperationAsync(parse.GetValue(id)!, runner.Stopping).ConfigureAwait(false);
            runner.Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(operation, HeraldJson.Options) : Line(operation));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Line(Operation o)
    {
        var text = $"{o.Id}  {o.Type}  {o.Resource}  {o.Status}  {o.Progress}%";
        if (o.CancelRequested && !o.IsFinal)
        {
            text += "  cancel requested";
        }
        if (o.Message is not null)
        {
            text += "  " + o.Message;
        }
        if (o.Error is not null)
        {
            text += "  error: " + o.Error;
        }
        return text;
    }

    private static void RequireCredentials(Settings.ConnectionSettings settings)
    {
        if (settings.ApiKey is null && settings.Token is null)
        {
            throw new CliException(ExitCodes.Unauthorized, $"ops needs an API key with the operations scope or a user token: pass --api-key or --token, set HERALD_API_KEY or HERALD_TOKEN, or put one in the profile ({settings.ProfilePath})");
        }
    }
}
