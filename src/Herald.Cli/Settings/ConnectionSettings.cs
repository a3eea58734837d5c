namespace Herald.Cli.Settings;

/// <summary>
/// Where the server is and which credentials to use, each from the first of: the command line
/// (<c>--url</c>, <c>--api-key</c>, <c>--token</c>), the environment (<c>HERALD_URL</c>,
/// <c>HERALD_API_KEY</c>, <c>HERALD_TOKEN</c>), the profile file, the default
/// (<see cref="DefaultUrl"/>; no credentials).
/// </summary>
internal sealed record ConnectionSettings(Uri Url, string? ApiKey, string? Token, string? JwtSecret, string ProfilePath)
{
    /// <summary>The server's own default address.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static ConnectionSettings Resolve(string? url, string? apiKey, string? token, string? profile, Func<string, string?> environment)
    {
        var profileValue = NullIfEmpty(profile) ?? NullIfEmpty(environment("HERALD_PROFILE"));
        var path = Profile.PathOf(profileValue, environment);
        var file = Profile.Load(path, required: profileValue is not null);
        var text = NullIfEmpty(url) ?? NullIfEmpty(environment("HERALD_URL")) ?? NullIfEmpty(file.Url) ?? DefaultUrl;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            throw CliException.Usage($"the server address '{text}' is not an http:// or https:// URL such as {DefaultUrl}");
        }
        // ws:// and wss:// name the same server; the HTTP API is at its http(s) address.
        if (parsed.Scheme is "ws" or "wss")
        {
            parsed = new UriBuilder(parsed) { Scheme = parsed.Scheme == "ws" ? "http" : "https", Port = parsed.IsDefaultPort ? -1 : parsed.Port }.Uri;
        }
        return new ConnectionSettings(parsed,
            NullIfEmpty(apiKey) ?? NullIfEmpty(environment("HERALD_API_KEY")) ?? NullIfEmpty(file.ApiKey),
            NullIfEmpty(token) ?? NullIfEmpty(environment("HERALD_TOKEN")) ?? NullIfEmpty(file.Token),
            NullIfEmpty(environment("HERALD_JWT_SECRET")) ?? NullIfEmpty(file.JwtSecret),
            path);
    }

    /// <summary>The API key, or a usage error naming the three places it may come from.</summary>
    public string RequireApiKey(string what) => ApiKey ?? throw new CliException(ExitCodes.Unauthorized,
        $"{what} needs an API key: pass --api-key, set HERALD_API_KEY, or put \"apiKey\" in the profile ({ProfilePath})");

    /// <summary>The user token, or a usage error naming the three places it may come from.</summary>
    public string RequireToken(string what) => Token ?? throw new CliException(ExitCodes.Unauthorized,
        $"{what} needs a user token: pass --token, set HERALD_TOKEN, or put \"token\" in the profile ({ProfilePath})");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
