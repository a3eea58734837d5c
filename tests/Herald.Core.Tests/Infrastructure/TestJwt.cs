using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Core.Tests.Infrastructure;

/// <summary>Builds tokens the way a backend would (through the handler), and forged ones by hand.</summary>
internal static class TestJwt
{
    public const string Secret = "unit-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

    public static string Hs256(IDictionary<string, object> claims, string secret = Secret, DateTime? expires = null) =>
        Create(new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256), claims, expires);

    public static string Rs256(RSA key, IDictionary<string, object> claims, DateTime? expires = null) =>
        Create(new SigningCredentials(new RsaSecurityKey(key), SecurityAlgorithms.RsaSha256), claims, expires);

    public static Dictionary<string, object> Claims(string? sub = "u_1", string? org = "acme", string[]? channels = null)
    {
        var claims = new Dictionary<string, object>();
        if (sub is not null)
        {
            claims["sub"] = sub;
        }
        if (org is not null)
        {
            claims["org"] = org;
        }
        if (channels is not null)
        {
            claims["channels"] = channels;
        }
        return claims;
    }

    /// <summary>A payload valid for an hour, for hand-built tokens.</summary>
    public static Dictionary<string, object> Payload(string sub = "u_1", string org = "acme")
    {
        var now = DateTimeOffset.UtcNow;
        return new Dictionary<string, object>
        {
            ["sub"] = sub,
            ["org"] = org,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        };
    }

    /// <summary>header.payload.HMAC(signature) with an arbitrary key and hash; the header says whatever it is given.</summary>
    public static string Hmac(object header, object payload, byte[] key, HashAlgorithmName hash)
    {
        var signingInput = $"{B64(header)}.{B64(payload)}";
        var data = Encoding.ASCII.GetBytes(signingInput);
        byte[] signature;
        if (hash == HashAlgorithmName.SHA256)
        {
            signature = HMACSHA256.HashData(key, data);
        }
        else if (hash == HashAlgorithmName.SHA384)
        {
            signature = HMACSHA384.HashData(key, data);
        }
        else if (hash == HashAlgorithmName.SHA512)
        {
            signature = HMACSHA512.HashData(key, data);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(hash));
        }
        return $"{signingInput}.{Base64UrlEncoder.Encode(signature)}";
    }

    public static string B64(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));

    public static string B64(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));

    private static string Create(SigningCredentials credentials, IDictionary<string, object> claims, DateTime? expires)
    {
        var exp = expires ?? DateTime.UtcNow.AddHours(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            IssuedAt = exp.AddHours(-2),
            NotBefore = exp.AddHours(-2),
            Expires = exp,
            SigningCredentials = credentials,
        });
    }
}

/// <summary>An RSA key pair with its public key written as PEM to a temporary file.</summary>
public sealed class RsaKeyFixture : IDisposable
{
    public RsaKeyFixture()
    {
        Key = RSA.Create(2048);
        Other = RSA.Create(2048);
        PublicKeyFile = Path.Combine(Path.GetTempPath(), $"herald-unit-{Guid.NewGuid():N}.pem");
        File.WriteAllText(PublicKeyFile, Key.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>The configured key pair.</summary>
    public RSA Key { get; }

    /// <summary>Another key pair, not configured.</summary>
    public RSA Other { get; }

    public string PublicKeyFile { get; }

    public void Dispose()
    {
        File.Delete(PublicKeyFile);
        Key.Dispose();
        Other.Dispose();
    }
}
