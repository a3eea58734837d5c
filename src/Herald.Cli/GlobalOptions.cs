using System.CommandLine;
using Herald.Cli.Settings;

namespace Herald.Cli;

/// <summary>The options every verb accepts: where the server is, the credentials, the profile, colours.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url")
    {
        Description = "The server's address [env HERALD_URL; profile \"url\"; default " + ConnectionSettings.DefaultUrl + "]",
        Recursive = true,
        HelpName = "url",
    };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "An API key (X-API-Key) [env HERALD_API_KEY; profile \"apiKey\"]",
        Recursive = true,
        HelpName = "key",
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "A user token (JWT) [env HERALD_TOKEN; profile \"token\"]",
        Recursive = true,
        HelpName = "jwt",
    };

    public Option<string?> Profile { get; } = new("--profile")
    {
        Description = "A profile file, or the name of one in ~/.config/herald (work: work.json) [env HERALD_PROFILE; default profile.json there]",
        Recursive = true,
        HelpName = "file|name",
    };

    public Option<bool> NoColor { get; } = new("--no-color")
    {
        Description = "No colours, even on a terminal (as NO_COLOR=1 does)",
        Recursive = true,
    };

    public IEnumerable<Option> All => [Url, ApiKey, Token, Profile, NoColor];
}
