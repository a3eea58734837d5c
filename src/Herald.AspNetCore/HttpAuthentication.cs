using Herald.Core;
using Herald.Core.Auth;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore;

/// <summary>Reads credentials from HTTP requests: user tokens and API keys.</summary>
internal static class HttpAuthentication
{
    /// <summary>The API key header.</summary>
    public const string ApiKeyHeader = "X-API-Key";

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? GetBearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    /// <summary>The <see cref="ApiKeyHeader"/> header, or null when absent or empty (never a query parameter: keys stay out of URLs).</summary>
    public static string? GetApiKey(HttpContext context) => context.Request.Headers[ApiKeyHeader].ToString() is { Length: > 0 } key ? key : null;

    /// <summary>The <c>token</c> query parameter, or null.</summary>
    public static string? GetQueryToken(HttpContext context) => QueryParameter.Get(context.Request, "token");

    /// <summary>An endpoint filter requiring an API key with the given scope: 401 without a valid key, 403 without the scope.</summary>
    public static EndpointFilterDelegate RequireApiKey(EndpointFilterFactoryContext _, EndpointFilterDelegate next, ApiKeyScope scope) =>
        async invocation =>
        {
            var context = invocation.HttpContext;
            if (CheckApiKey(context, context.RequestServices.GetNodeService(), scope, out var key) is { } problem)
            {
                return problem;
            }
            context.Items[typeof(ApiKey)] = key;
            return await next(invocation).ConfigureAwait(false);
        };

    /// <summary>
    /// The one API key check of the HTTP API: the key in <see cref="ApiKeyHeader"/>, or the problem
    /// to answer: 401 when none is sent or it is unknown, 403 when it lacks <paramref name="scope"/>
    /// (<see cref="ApiKeyScope.None"/> accepts any valid key).
    /// </summary>
    internal static IResult? CheckApiKey(HttpContext context, Node node, ApiKeyScope scope, out ApiKey? key)
    {
        key = null;
        var presented = context.Request.Headers[ApiKeyHeader].ToString();
        if (presented.Length == 0)
        {
            return HttpProblems.Result(StatusCodes.Status401Unauthorized, $"an API key is required in the {ApiKeyHeader} header");
        }
        if (node.ApiKeys.Find(presented) is not { } found)
        {
            return HttpProblems.Result(StatusCodes.Status401Unauthorized, ApiKeyStore.InvalidKey);
        }
        if (!found.Scopes.Allows(scope))
        {
            return HttpProblems.Result(StatusCodes.Status403Forbidden, $"the API key '{found.Name}' lacks the '{ApiKeyScopes.NameOf(scope)}' scope");
        }
        key = found;
        return null;
    }

    /// <summary>True when the request carries an <see cref="ApiKeyHeader"/> header (with any value but empty).</summary>
    internal static bool HasApiKey(HttpContext context) => context.Request.Headers[ApiKeyHeader].ToString().Length > 0;

    internal static Node GetNodeService(this IServiceProvider services) =>
        (Node)services.GetService(typeof(Node))!;
}
