using System.Globalization;
using Herald.AspNetCore.Http.Contracts;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Channels;
using Herald.Core.Operations;
using Herald.Messages;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Http;

/// <summary>The operations API: users with a JWT act within their organisation, backends with an API key of scope <c>operations</c>.</summary>
internal static class OperationEndpoints
{
    public static async Task<IResult> CreateAsync(HttpContext context, Node node, OperationService operations)
    {
        var (actor, body, problem) = await HttpActor.ReadJsonAsync(context, node, ApiKeyScope.Operations, allowUsers: true, HttpJson.Context.CreateOperationBody).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        OperationRequest request;
        using (body)
        {
            var b = body.Value;
            request = new OperationRequest(b.Type, b.Resource, b.Parameters.HasValue ? body.Copy(b.Parameters) : default, b.IdempotencyKey, b.Org);
        }
        var (operation, _, error) = await operations.CreateAsync(request, actor!, context.RequestAborted).ConfigureAwait(false);
        return error is not null ? Problem(error) : Accepted(context, operation!);
    }

    public static async Task<IResult> GetAsync(HttpContext context, Node node, OperationService operations, string id)
    {
        var (actor, problem) = await HttpActor.ResolveAsync(context, node, ApiKeyScope.Operations, allowUsers: true).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        var (operation, error) = await operations.GetAsync(id, actor!, context.RequestAborted).ConfigureAwait(false);
        return error is not null ? Problem(error) : Json(operation!, StatusCodes.Status200OK);
    }

    public static async Task<IResult> ListAsync(HttpContext context, Node node, OperationService operations)
    {
        var (actor, problem) = await HttpActor.ResolveAsync(context, node, ApiKeyScope.Operations, allowUsers: true).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        var query = context.Request.Query;
        var resource = query["resource"].ToString();
        var status = query["status"].ToString();
        if (status.Length > 0 && status is not ("active" or "all"))
        {
            return HttpProblems.From(HeraldError.BadRequest("'status' must be 'active' or 'all'"));
        }
        var limit = 100;
        if (query["limit"].ToString() is { Length: > 0 } limitText && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            return HttpProblems.From(HeraldError.BadRequest("'limit' must be between 1 and 1000"));
        }
        var (orgId, orgProblem) = ListingOrg(node, actor!, resource, query["org"].ToString());
        if (orgProblem is not null)
        {
            return orgProblem;
        }
        var list = await operations.ListAsync(orgId!, resource.Length > 0 ? resource : null, status == "active", limit, context.RequestAborted).ConfigureAwait(false);
        return HttpJson.Write(new OperationListResponse(list.Select(OperationResponse.From).ToArray()), HttpJson.Context.OperationListResponse);
    }

    /// <summary>
    /// The organisation whose operations are listed: a user's own (and a resource it may read), or
    /// for a backend the one it names, or that of a resource in an organisation's namespace.
    /// </summary>
    private static (string? OrgId, IResult? Problem) ListingOrg(Node node, OperationActor actor, string resource, string org)
    {
        var maxLength = node.Options.Limits.MaxChannelNameLength;
        if (actor.OrgId is { } userOrg)
        {
            return resource.Length > 0 && node.Namespaces.Resolve(resource, maxLength, out var name, out var options) is null
                && !ChannelAuthorizer.CanRead(actor.User!, name, options)
                ? (null, HttpProblems.Result(StatusCodes.Status403Forbidden, $"permission denied for resource '{resource}'"))
                : (userOrg, null);
        }
        if (org.Length == 0 && resource.Length > 0 && node.Namespaces.Resolve(resource, maxLength, out var resourceName, out var nsOptions) is null
            && nsOptions.Scope == ChannelScope.Org)
        {
            org = resourceName.FirstSegment.ToString();
        }
        return org.Length == 0
            ? (null, HttpProblems.From(HeraldError.BadRequest("an API key must give 'org' or an organisation's 'resource'")))
            : (org, null);
    }

    public static async Task<IResult> UpdateAsync(HttpContext context, Node node, OperationService operations, string id)
    {
        var (actor, body, problem) = await HttpActor.ReadJsonAsync(context, node, ApiKeyScope.Operations, allowUsers: false, HttpJson.Context.UpdateOperationBody).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        OperationUpdate update;
        using (body)
        {
            var b = body.Value;
            OperationStatus? status = null;
            if (b.Status is not null)
            {
                if (!OperationStatuses.TryParse(b.Status, out var parsed))
                {
                    return HttpProblems.From(HeraldError.BadRequest("'status' must be one of pending, running, completed, failed, cancelled"));
                }
                status = parsed;
            }
            update = new OperationUpdate(status, b.Progress, b.Message, b.Error, b.Result.HasValue ? body.Copy(b.Result) : default);
        }
        var (operation, error) = await operations.UpdateAsync(id, update, actor!, context.RequestAborted).ConfigureAwait(false);
        return error is not null ? Problem(error) : Json(operation!, StatusCodes.Status200OK);
    }

    public static async Task<IResult> CancelAsync(HttpContext context, Node node, OperationService operations, string id)
    {
        var (actor, problem) = await HttpActor.ResolveAsync(context, node, ApiKeyScope.Operations, allowUsers: true).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        var (operation, error) = await operations.CancelAsync(id, actor!, context.RequestAborted).ConfigureAwait(false);
        return error is not null ? Problem(error) : Json(operation!, StatusCodes.Status202Accepted);
    }

    public static async Task<IResult> RetryAsync(HttpContext context, Node node, OperationService operations, string id)
    {
        var (actor, problem) = await HttpActor.ResolveAsync(context, node, ApiKeyScope.Operations, allowUsers: true).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        var (operation, error) = await operations.RetryAsync(id, actor!, context.RequestAborted).ConfigureAwait(false);
        return error is not null ? Problem(error) : Accepted(context, operation!);
    }

    /// <summary>202 with a Location header naming the operation.</summary>
    private static IResult Accepted(HttpContext context, Operation operation)
    {
        context.Response.Headers.Location = $"/api/operations/{operation.Id}";
        return Json(operation, StatusCodes.Status202Accepted);
    }

    private static IResult Json(Operation operation, int status) =>
        HttpJson.Write(OperationResponse.From(operation), HttpJson.Context.OperationResponse, status);

    private static IResult Problem(OperationError error) => error.Kind switch
    {
        OperationErrorKind.NotFound => HttpProblems.Result(StatusCodes.Status404NotFound, error.Message),
        OperationErrorKind.Forbidden => HttpProblems.Result(StatusCodes.Status403Forbidden, error.Message),
        OperationErrorKind.Conflict => TypedResults.Problem(detail: error.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            extensions: error.ExistingId is null ? null : new Dictionary<string, object?> { ["existingId"] = error.ExistingId }),
        _ => HttpProblems.Result(StatusCodes.Status400BadRequest, error.Message),
    };
}
