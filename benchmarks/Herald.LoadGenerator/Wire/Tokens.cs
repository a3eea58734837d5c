using System.Security.Cryptography;
using System.Text;

namespace Herald.LoadGenerator.Wire;

/// <summary>HS256 user tokens with <c>sub</c> and <c>org</c>, as Herald and the reference Socket.IO server accept them.</summary>
public static class Tokens
{
    public static string Create(string secret, string user, string org, TimeSpan lifetime)
    {
        var header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);
        var exp = DateTimeOffset.UtcNow.Add(lifetime).ToUnixTimeSeconds();
        var payload = Base64Url(Encoding.UTF8.GetBytes($"{{\"sub\":\"{user}\",\"org\":\"{org}\",\"exp\":{exp}}}"));
        var signed = header + "." + payload;
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signed));
        return signed + "." + Base64Url(signature);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
