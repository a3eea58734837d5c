using System.CommandLine;
using Herald.Server;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald serve</c>: the standalone server, started by its own code (<see cref="HeraldServer.RunAsync"/>)
/// with every argument passed on, so it takes exactly the server's options and exits with its codes.
/// </summary>
internal static class ServeCommand
{
    public const string Name = "serve";

    public static Command Create(Runner runner)
    {
        var command = new Command(Name, "Run the Herald server, with the standalone server's options.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        runner.Epilogs[command] = """
            Every argument is passed on to the server (src/Herald.Server), which reads its settings as usual:
              --urls http://0.0.0.0:8080          listening addresses (or --url; default http://127.0.0.1:5080)
              --Herald:Storage:Provider=Memory    any setting of docs/configuration.md, as --Key=value or --Key value
              environment Herald__Auth__JwtSecret=…, appsettings.json beside the program
            Without configured credentials it prints a development JWT secret, an admin API key and a user token.

            Examples:
              herald serve
              herald serve --urls http://0.0.0.0:8080 --Herald:Storage:SqlitePath=/var/lib/herald/herald.db

            Exit codes: 0 stopped by SIGTERM or Ctrl+C, 1 could not start (port taken, storage), 2 invalid configuration.
            """;
        runner.SetAction(command, async parse =>
        {
            var args = new List<string>(parse.UnmatchedTokens);
            // The global --url is the server's --urls here.
            if (parse.GetValue(runner.Globals.Url) is { Length: > 0 } url)
            {
                args.InsertRange(0, ["--urls", url]);
            }
            return await HeraldServer.RunAsync([.. args]).ConfigureAwait(false);
        });
        return command;
    }
}
