using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald token</c>: mints an HS256 user token with the server's configured secret, for tests,
/// scripts and development. Prints the token alone, so that <c>TOKEN=$(herald token …)</c> works.
/// </summary>
internal static class TokenCommand
{
    /// <summary>The shortest secret the server accepts (Herald:Auth:JwtSecret).</summary>
    private const int MinSecretBytes = 32;

    public static Command Create(Runner runner)
    {
        var sub = new Option<string>("--sub") { Description = "The user (sub claim)", Required = true, HelpName = "user" };
        var org = new Option<string>("--org") { Description = "The organisation (org claim)", Required = true, HelpName = "org" };
        var channels = new Option<string[]>("--channels")
        {
            Description = "Grants for Grant-scoped namespaces (channels claim): repeat it or separate with commas; a trailing * is a prefix",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "channel",
        };
        var lifetime = new Option<string>("--lifetime") { Description = "How long the token is valid: 90s, 15m, 1h, 7d, or none [default 1h]", DefaultValueFactory = _ => "1h", HelpName = "duration" };
        var secret = new Option<string?>("--secret") { Description = "The HS256 secret [env HERALD_JWT_SECRET, Herald__Auth__JwtSecret; profile \"jwtSecret\"; --config]", HelpName = "secret" };
        var config = new Option<FileInfo?>("--config") { Description = "Read Herald:Auth:JwtSecret (and Issuer, Audience) from this settings file, such as the server's appsettings.json", HelpName = "file" };
        var issuer = new Option<string?>("--issuer") { Description = "The iss claim (when the server sets Herald:Auth:Issuer)" };
        var audience = new Option<string?>("--audience") { Description = "The aud claim (when the server sets Herald:Auth:Audience)" };
        var json = new Option<bool>("--json") { Description = "Print the token with its claims as JSON" };
        var command = new Command("token", "Mint an HS256 user token (JWT) signed with the server's configured secret.")
        {
            sub, org, channels, lifetime, secret, config, issuer, audience, json,
        };
        runner.SetAction(command, parse =>
        {
            var environment = runner.Console.Environment;
            var fromConfig = ReadConfig(parse.GetValue(config));
            var key = parse.GetValue(secret)
                ?? NullIfEmpty(environment("HERALD_JWT_SECRET"))
                ?? NullIfEmpty(environment("Herald__Auth__JwtSecret")) ?? NullIfEmpty(environment("HERALD__AUTH__JWTSECRET"))
                ?? runner.Settings(parse).JwtSecret
                ?? fromConfig.Secret
                ?? throw CliException.Usage("no JWT secret: pass --secret or --config FILE, set HERALD_JWT_SECRET, or put \"jwtSecret\" in the profile");
            if (Encoding.UTF8.GetByteCount(key) < MinSecretBytes)
            {
                throw CliException.Usage($"the secret must be at least {MinSecretBytes} bytes long, as the server requires of Herald:Auth:JwtSecret");
            }
            var lifetimeText = parse.GetValue(lifetime)!;
            TimeSpan? valid = lifetimeText.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Durations.Parse(lifetimeText, "--lifetime");
            var grants = (parse.GetValue(channels) ?? []).SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            var claims = new Dictionary<string, object> { ["sub"] = parse.GetValue(sub)!, ["org"] = parse.GetValue(org)! };
            if (grants.Length > 0)
            {
                claims["channels"] = grants;
            }
            var now = DateTime.UtcNow;
            var descriptor = new SecurityTokenDescriptor
            {
                Claims = claims,
                IssuedAt = now,
                NotBefore = now,
                Issuer = parse.GetValue(issuer) ?? fromConfig.Issuer,
                Audience = parse.GetValue(audience) ?? fromConfig.Audience,
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
            };
            if (valid is { } span)
            {
                descriptor.Expires = now + span;
            }
            var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = valid is not null };
            var token = handler.CreateToken(descriptor);
            if (parse.GetValue(json))
            {
                runner.Console.WriteLine(JsonSerializer.Serialize(new
                {
                    token,
                    sub = parse.GetValue(sub),
                    org = parse.GetValue(org),
                    channels = grants,
                    expiresAt = descriptor.Expires is { } e ? new DateTimeOffset(e, TimeSpan.Zero).ToString("O") : null,
                }));
            }
            else
            {
                runner.Console.WriteLine(token);
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Herald:Auth:JwtSecret, Issuer and Audience of a JSON settings file (keys case-insensitive, as the server reads them).</summary>
    private static (string? Secret, string? Issuer, string? Audience) ReadConfig(FileInfo? file)
    {
        if (file is null)
        {
            return default;
        }
        if (!file.Exists)
        {
            throw CliException.Usage($"the settings file '{file.FullName}' does not exist");
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file.FullName), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var auth = Child(Child(document.RootElement, "Herald"), "Auth");
            return (String(auth, "JwtSecret"), String(auth, "Issuer"), String(auth, "Audience"));
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"the settings file '{file.FullName}' is not valid JSON: {ex.Message}");
        }

        static JsonElement Child(JsonElement element, string name)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                    {
                        return property.Value;
                    }
                }
            }
            return default;
        }

        static string? String(JsonElement element, string name) => Child(element, name) is { ValueKind: JsonValueKind.String } value ? NullIfEmpty(value.GetString()) : null;
    }
}
