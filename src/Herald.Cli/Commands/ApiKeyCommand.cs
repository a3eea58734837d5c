using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Herald.Core.Auth;
using Herald.Core.Channels;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald apikey</c>: generates a random API key and prints its configuration entry
/// (<c>Herald:Auth:ApiKeys:&lt;i&gt;</c>) for appsettings.json and as environment variables. The server
/// keeps only the key's hash, so the printed key is the only copy.
/// </summary>
internal static class ApiKeyCommand
{
    public static Command Create(Runner runner)
    {
        var name = new Option<string>("--name") { Description = "The key's name (in logs, errors and, for subscribers, presence)", Required = true };
        var scopes = new Option<string[]>("--scope")
        {
            Description = "A scope: publish, operations, subscribe or admin; repeat it or separate with commas",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "scope",
        };
        var org = new Option<string?>("--org") { Description = "Bind the key to one organisation: it reads only that organisation's channels" };
        var index = new Option<int>("--index") { Description = "The entry's index i in Herald:Auth:ApiKeys:<i> for the environment variables [default 0]", DefaultValueFactory = _ => 0 };
        var format = new Option<string>("--format") { Description = "text (key, JSON entry and environment variables), json (the entry) or env (the variables) [default text]", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json", "env");
        var command = new Command("apikey", "Generate an API key and print its configuration entry with its scopes.")
        {
            name, scopes, org, index, format,
        };
        runner.SetAction(command, parse =>
        {
            var keyName = parse.GetValue(name)!.Trim();
            if (keyName.Length == 0)
            {
                throw CliException.Usage("--name must not be empty");
            }
            var list = new List<string>();
            foreach (var scope in parse.GetValue(scopes)!.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (!ApiKeyScopes.TryParse(scope, out _))
                {
                    throw CliException.Usage($"'{scope}' is not a scope ({ApiKeyScopes.Names})");
                }
                var canonical = scope.ToLowerInvariant();
                if (!list.Contains(canonical))
                {
                    list.Add(canonical);
                }
            }
            var bound = parse.GetValue(org);
            if (!string.IsNullOrEmpty(bound) && !(ChannelName.TryParse("org:" + bound, int.MaxValue, out var channel, out _) && !channel.Rest.Contains('/')))
            {
                throw CliException.Usage($"--org '{bound}' is not an organisation id: use A-Z, a-z, 0-9 and _ . @ = + -");
            }
            var i = parse.GetValue(index);
            if (i < 0)
            {
                throw CliException.Usage("--index must be 0 or more");
            }
            var key = "hk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var entry = JsonSerializer.Serialize(new Entry(keyName, key, [.. list], string.IsNullOrEmpty(bound) ? null : bound), EntryJson.Default.Entry);
            var prefix = $"Herald__Auth__ApiKeys__{i}__";
            var variables = new List<string> { $"{prefix}Name={keyName}", $"{prefix}Key={key}" };
            variables.AddRange(list.Select((s, j) => $"{prefix}Scopes__{j}={s}"));
            if (!string.IsNullOrEmpty(bound))
            {
                variables.Add($"{prefix}Org={bound}");
            }
            var console = runner.Console;
            switch (parse.GetValue(format))
            {
                case "json":
                    console.WriteLine(entry);
                    break;
                case "env":
                    variables.ForEach(console.WriteLine);
                    break;
                default:
                    console.WriteLine($"API key '{keyName}' ({string.Join(", ", list)}{(string.IsNullOrEmpty(bound) ? "" : ", organisation " + bound)}): {key}");
                    console.WriteLine("");
                    console.WriteLine("An entry of Herald:Auth:ApiKeys in appsettings.json:");
                    console.WriteLine("  " + entry);
                    console.WriteLine("");
                    console.WriteLine($"Or as environment variables (entry {i}):");
                    variables.ForEach(v => console.WriteLine("  " + v));
                    console.WriteLine("");
                    console.WriteLine("The server keeps only the key's hash: this is the only copy of the key.");
                    break;
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    internal sealed record Entry(string Name, string Key, string[] Scopes, string? Org);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ApiKeyCommand.Entry))]
internal sealed partial class EntryJson : System.Text.Json.Serialization.JsonSerializerContext;
