namespace Herald.Core.Auth;

/// <summary>What an API key may do. <see cref="Admin"/> includes every other scope.</summary>
[Flags]
public enum ApiKeyScope
{
    None = 0,
    /// <summary>Publish and broadcast into channels.</summary>
    Publish = 1,
    /// <summary>Create and update long-running operations.</summary>
    Operations = 2,
    /// <summary>Stats, channel lists, forced disconnects, and everything else.</summary>
    Admin = 4,
    /// <summary>
    /// Connect as a service over WebSocket, Socket.IO or SSE and subscribe: every channel, or the
    /// channels of the key's organisation when it is bound to one (<see cref="ApiKey.Org"/>).
    /// </summary>
    Subscribe = 8,
}

public static class ApiKeyScopes
{
    /// <summary>The scope names as configured, for messages: <c>publish, operations, subscribe, admin</c>.</summary>
    public const string Names = "publish, operations, subscribe, admin";

    /// <summary>The configured name of one scope (<c>subscribe</c>).</summary>
    public static string NameOf(ApiKeyScope scope) => scope.ToString().ToLowerInvariant();

    public static bool TryParse(string value, out ApiKeyScope scope)
    {
        scope = value.Trim().ToLowerInvariant() switch
        {
            "publish" => ApiKeyScope.Publish,
            "operations" => ApiKeyScope.Operations,
            "admin" => ApiKeyScope.Admin,
            "subscribe" => ApiKeyScope.Subscribe,
            _ => ApiKeyScope.None,
        };
        return scope != ApiKeyScope.None;
    }

    /// <summary>True when <paramref name="granted"/> allows <paramref name="required"/>.</summary>
    public static bool Allows(this ApiKeyScope granted, ApiKeyScope required) =>
        (granted & ApiKeyScope.Admin) != 0 || (granted & required) == required;
}
