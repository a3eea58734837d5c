using Herald.Core;
using Herald.Core.Auth;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore;

/// <summary>Reads credentials from HTTP requests: user tokens and API keys.</summary>
public static class HttpAuthentication
{
    /// <summary>The API key header (F-AU-2).</summary>
    public const string ApiKeyHeader = "X-API-Key";

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? GetBearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    /// <summary>The <c>token</c> query parameter, or null.</summary>
    public static string? GetQueryToken(HttpContext context) => QueryParameter.Get(context.Request, "token");

    /// <summary>An endpoint filter requiring an API key with the given scope: 401 without a valid key, 403 without the scope.</summary>
    public static EndpointFilterDelegate RequireApiKey(EndpointFilterFactoryContext _, EndpointFilterDelegate next, ApiKeyScope scope) =>
        async invocation =>
        {
            var context = invocation.HttpContext;
            var node = context.RequestServices.GetNodeService();
            var presented = context.Request.Headers[ApiKeyHeader].ToString();
            if (string.IsNullOrEmpty(presented))
            {
                return HttpProblems.Result(StatusCodes.Status401Unauthorized, $"an API key is required in the {ApiKeyHeader} header");
            }
            if (node.ApiKeys.Find(presented) is not { } key)
            {
                return HttpProblems.Result(StatusCodes.Status401Unauthorized, "the API key is not valid");
            }
            if (!key.Scopes.Allows(scope))
            {
                return HttpProblems.Result(StatusCodes.Status403Forbidden, $"the API key '{key.Name}' lacks the '{scope.ToString().ToLowerInvariant()}' scope");
            }
            context.Items[typeof(ApiKey)] = key;
            return await next(invocation).ConfigureAwait(false);
        };

    internal static Node GetNodeService(this IServiceProvider services) =>
        (Node)services.GetService(typeof(Node))!;
}
