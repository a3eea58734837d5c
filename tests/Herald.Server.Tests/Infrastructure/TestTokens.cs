using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>Makes user tokens the way a backend would, and broken ones the way an attacker would.</summary>
public static class TestTokens
{
    public const string Secret = "test-secret-0123456789-abcdefghijklmnop";

    public static string Hs256(string user, string org, TimeSpan? lifetime = null, string[]? channels = null, string secret = Secret) =>
        Create(new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256), user, org, lifetime, channels);

    public static string Rs256(RSA key, string user, string org, TimeSpan? lifetime = null) =>
        Create(new SigningCredentials(new RsaSecurityKey(key), SecurityAlgorithms.RsaSha256), user, org, lifetime, null);

    /// <summary>A token whose exp is in the past.</summary>
    public static string Expired(string user, string org)
    {
        var now = DateTimeOffset.UtcNow;
        return Raw(new { alg = "HS256", typ = "JWT" }, new { sub = user, org, iat = now.AddHours(-2).ToUnixTimeSeconds(), exp = now.AddMinutes(-10).ToUnixTimeSeconds() }, Secret);
    }

    /// <summary>alg none: a header and payload with an empty signature.</summary>
    public static string AlgNone(string user, string org) =>
        $"{B64(new { alg = "none", typ = "JWT" })}.{B64(new { sub = user, org })}.";

    /// <summary>Signs header and payload with HMAC-SHA256 and the given key bytes.</summary>
    public static string Raw(object header, object payload, string secret) => Raw(header, payload, Encoding.UTF8.GetBytes(secret));

    public static string Raw(object header, object payload, byte[] key)
    {
        var signingInput = $"{B64(header)}.{B64(payload)}";
        var signature = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static string Create(SigningCredentials credentials, string user, string org, TimeSpan? lifetime, string[]? channels)
    {
        var claims = new Dictionary<string, object> { ["sub"] = user, ["org"] = org };
        if (channels is not null)
        {
            claims["channels"] = channels;
        }
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Expires = DateTime.UtcNow + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = credentials,
        });
    }

    private static string B64(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));
}
