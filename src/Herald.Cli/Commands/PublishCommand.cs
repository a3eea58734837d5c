using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class PublishCommand
{
    public static Command Create(Runner runner)
    {
        var command = new Command("publish", "(needs Herald.Client)");
        runner.SetAction(command, _ => throw new CliException(ExitCodes.Failed, "not available yet"));
        return command;
    }
}
