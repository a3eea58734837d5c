using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class PresenceCommand
{
    public static Command Create(Runner runner)
    {
        var command = new Command("presence", "(needs Herald.Client)");
        runner.SetAction(command, _ => throw new CliException(ExitCodes.Failed, "not available yet"));
        return command;
    }
}
