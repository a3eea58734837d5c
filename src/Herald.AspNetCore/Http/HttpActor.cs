using System.Text.Json.Serialization.Metadata;
using Herald.AspNetCore.Http.Contracts;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Operations;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Http;

/// <summary>Who makes an HTTP request: a user (Bearer JWT) or a backend (X-API-Key with a scope).</summary>
internal static class HttpActor
{
    /// <summary>
    /// An API key (checked for <paramref name="scope"/>) when one is sent, else a user token when
    /// <paramref name="allowUsers"/>; the problem to answer otherwise (401 no or bad credentials, 403 scope).
    /// </summary>
    public static async Task<(OperationActor? Actor, IResult? Problem)> ResolveAsync(HttpContext context, Node node, ApiKeyScope scope, bool allowUsers)
    {
        if (!allowUsers || HttpAuthentication.HasApiKey(context))
        {
            return HttpAuthentication.CheckApiKey(context, node, scope, out var key) is { } problem
                ? (null, problem)
                : (OperationActor.ForApiKey(key!.Name), null);
        }
        var token = HttpAuthentication.GetBearerToken(context);
        if (string.IsNullOrEmpty(token))
        {
            return (null, HttpProblems.Result(StatusCodes.Status401Unauthorized, $"a user token (Authorization: Bearer) or an API key ({HttpAuthentication.ApiKeyHeader}) is required"));
        }
        var result = await node.Tokens.ValidateAsync(token).ConfigureAwait(false);
        return result.IsValid
            ? (OperationActor.ForUser(result.Principal!), null)
            : (null, HttpProblems.Result(StatusCodes.Status401Unauthorized, result.Message, result.Error));
    }

    /// <summary>Resolves the caller as <see cref="ResolveAsync"/> does, then reads the JSON body within the publish size limit: credentials are checked before the body.</summary>
    public static async Task<(OperationActor? Actor, JsonRequest<T> Body, IResult? Problem)> ReadJsonAsync<T>(
        HttpContext context, Node node, ApiKeyScope scope, bool allowUsers, JsonTypeInfo<T> typeInfo)
        where T : class, IRequestBody<T>
    {
        var (actor, problem) = await ResolveAsync(context, node, scope, allowUsers).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, default, problem);
        }
        var (body, bodyProblem) = await JsonBody.ReadAsync(context, node.Options.Limits.MaxPublishBytes, typeInfo).ConfigureAwait(false);
        return (actor, body, bodyProblem);
    }

    /// <summary>
    /// Who reads a channel (history, presence): any valid API key (any scope; bound to its
    /// organisation, if any) when one is sent, else a user token; the same principal a connection
    /// would have, so <see cref="ChannelAuthorizer.CanRead"/> decides for both.
    /// </summary>
    public static async Task<(HeraldPrincipal? Reader, IResult? Problem)> ResolveReaderAsync(HttpContext context, Node node)
    {
        if (HttpAuthentication.HasApiKey(context))
        {
            return HttpAuthentication.CheckApiKey(context, node, ApiKeyScope.None, out var key) is { } problem
                ? (null, problem)
                : (HeraldPrincipal.ForApiKey(key!), null);
        }
        var (actor, userProblem) = await ResolveAsync(context, node, ApiKeyScope.None, allowUsers: true).ConfigureAwait(false);
        return (actor?.User, userProblem);
    }

    /// <summary>A user token only (the inbox belongs to the token's user).</summary>
    public static async Task<(HeraldPrincipal? User, IResult? Problem)> ResolveUserAsync(HttpContext context, Node node)
    {
        var token = HttpAuthentication.GetBearerToken(context);
        if (string.IsNullOrEmpty(token))
        {
            return (null, HttpProblems.Result(StatusCodes.Status401Unauthorized, "a user token is required (Authorization: Bearer)"));
        }
        var result = await node.Tokens.ValidateAsync(token).ConfigureAwait(false);
        return result.IsValid ? (result.Principal, null) : (null, HttpProblems.Result(StatusCodes.Status401Unauthorized, result.Message, result.Error));
    }
}
