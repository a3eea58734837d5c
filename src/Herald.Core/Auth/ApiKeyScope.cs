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
}

public static class ApiKeyScopes
{
    public static bool TryParse(string value, out ApiKeyScope scope)
    {
        scope = value.Trim().ToLowerInvariant() switch
        {
            "publish" => ApiKeyScope.Publish,
            "operations" => ApiKeyScope.Operations,
            "admin" => ApiKeyScope.Admin,
            _ => ApiKeyScope.None,
        };
        return scope != ApiKeyScope.None;
    }

    /// <summary>True when <paramref name="granted"/> allows <paramref name="required"/>.</summary>
    public static bool Allows(this ApiKeyScope granted, ApiKeyScope required) =>
        (granted & ApiKeyScope.Admin) != 0 || (granted & required) == required;
}
