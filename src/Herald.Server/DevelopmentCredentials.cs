using System.Security.Cryptography;
using System.Text;
using Herald.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Server;

/// <summary>
/// Zero-configuration start: with no token key configured, the server makes a development signing key (and a
/// ready-made user token); with no API keys, an admin API key. They are printed once on standard
/// output when the server has started, and live only in this process's memory: nothing is
/// written to disk or to the logs.
/// </summary>
internal static class DevelopmentCredentials
{
    /// <summary>Adds what is missing to the configuration; returns the text to print, or null when nothing was generated.</summary>
    public static string? EnsureConfigured(IConfigurationManager configuration)
    {
        var auth = configuration.GetSection($"{HeraldOptions.SectionName}:Auth");
        var hasKey = !string.IsNullOrEmpty(auth["JwtSecret"]) || !string.IsNullOrEmpty(auth["JwtPublicKeyFile"]);
        var hasApiKeys = auth.GetSection("ApiKeys").GetChildren().Any();
        if (hasKey && hasApiKeys)
        {
            return null;
        }
        var values = new Dictionary<string, string?>();
        var text = new StringBuilder();
        text.AppendLine("Herald development credentials (generated because none are configured; valid until this process exits):");
        if (!hasKey)
        {
            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            values[$"{HeraldOptions.SectionName}:Auth:JwtSecret"] = secret;
            text.AppendLine($"  Herald:Auth:JwtSecret (HS256) = {secret}");
            text.AppendLine($"  user token (sub=dev, org=dev, 24 h) = {CreateToken(secret, "dev", "dev", TimeSpan.FromHours(24))}");
        }
        if (!hasApiKeys)
        {
            var key = "hk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            values[$"{HeraldOptions.SectionName}:Auth:ApiKeys:0:Name"] = "development";
            values[$"{HeraldOptions.SectionName}:Auth:ApiKeys:0:Key"] = key;
            values[$"{HeraldOptions.SectionName}:Auth:ApiKeys:0:Scopes:0"] = "admin";
            text.AppendLine($"  API key (X-API-Key, scope admin) = {key}");
        }
        text.AppendLine("Configure Herald:Auth:JwtSecret or Herald:Auth:JwtPublicKeyFile and Herald:Auth:ApiKeys for real use (docs/configuration.md).");
        configuration.AddInMemoryCollection(values);
        return text.ToString();
    }

    /// <summary>Signs an HS256 user token.</summary>
    public static string CreateToken(string secret, string user, string org, TimeSpan lifetime) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["sub"] = user, ["org"] = org },
            Expires = DateTime.UtcNow + lifetime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        });
}
