using System.Globalization;
using System.Text.Json;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Herald.AspNetCore.Http;

/// <summary>The operations API (F-OP-1…4): users with a JWT act within their organisation, backends with an API key of scope <c>operations</c>.</summary>
internal static class OperationEndpoints
{
    public static async Task<IResult> CreateAsync(HttpContext context, Node node, OperationService operations)
    {
        var (actor, document, problem) = await HttpActor.ReadJsonAsync(context, node, ApiKeyScope.Operations, allowUsers: true).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        using (document)
        {
            var root = document!.RootElement;
            string? type = null, resource = null, key = null, org = null;
            var error = JsonBody.RequireObject(root)
                ?? JsonBody.String(root, "type", out type)
                ?? JsonBody.String(root, "resource", out resource)
                ?? JsonBody.String(root, "idempotencyKey", out key)
                ?? JsonBody.String(root, "org", out org);
            if (error is { } e)
            {
                return HttpProblems.From(e);
            }
            if (root.TryGetProperty("parameters", out var parameters) && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                return HttpProblems.From(HeraldError.BadRequest("'parameters' must be a JSON object"));
            }
            var request = new OperationRequest(type, resource, parameters.ValueKind == JsonValueKind.Object ? JsonBody.Raw(root, "parameters") : default, key, org);
            var (operation, _, createError) = await operations.CreateAsync(request, actor!, context.RequestAborted).ConfigureAwait(false);
            return createError is not null ? Problem(createError) : Accepted(operation!);
        }
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
        string orgId;
        if (actor!.OrgId is { } userOrg)
        {
            if (resource.Length > 0 && node.Namespaces.Resolve(resource, node.Options.Limits.MaxChannelNameLength, out var name, out var nsOptions) is null
                && !ChannelAuthorizer.CanRead(actor.User!, name, nsOptions))
            {
                return HttpProblems.Result(StatusCodes.Status403Forbidden, $"permission denied for resource '{resource}'");
            }
            orgId = userOrg;
        }
        else
        {
            // A backend names the organisation, or a resource of an organisation's namespace.
            var org = query["org"].ToString();
            if (org.Length == 0 && resource.Length > 0 && node.Namespaces.Resolve(resource, node.Options.Limits.MaxChannelNameLength, out var name, out var nsOptions) is null
                && nsOptions.Scope == Herald.Core.Channels.ChannelScope.Org)
            {
                org = name.FirstSegment.ToString();
            }
            if (org.Length == 0)
            {
                return HttpProblems.From(HeraldError.BadRequest("an API key must give 'org' or an organisation's 'resource'"));
            }
            orgId = org;
        }
        var list = await operations.ListAsync(orgId, resource.Length > 0 ? resource : null, status == "active", limit, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Bytes(JsonBytes.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("items"u8);
            foreach (var operation in list)
            {
                OperationJson.Write(w, operation);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }), "application/json");
    }

    public static async Task<IResult> UpdateAsync(HttpContext context, Node node, OperationService operations, string id)
    {
        var (actor, document, problem) = await HttpActor.ReadJsonAsync(context, node, ApiKeyScope.Operations, allowUsers: false).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        using (document)
        {
            var root = document!.RootElement;
            string? statusText = null, message = null, errorText = null;
            var error = JsonBody.RequireObject(root)
                ?? JsonBody.String(root, "status", out statusText)
                ?? JsonBody.String(root, "message", out message)
                ?? JsonBody.String(root, "error", out errorText);
            if (error is { } e)
            {
                return HttpProblems.From(e);
            }
            OperationStatus? status = null;
            if (statusText is not null)
            {
                if (!OperationStatuses.TryParse(statusText, out var parsed))
                {
                    return HttpProblems.From(HeraldError.BadRequest("'status' must be one of pending, running, completed, failed, cancelled"));
                }
                status = parsed;
            }
            int? progress = null;
            if (root.TryGetProperty("progress", out var progressElement) && progressElement.ValueKind != JsonValueKind.Null)
            {
                if (progressElement.ValueKind != JsonValueKind.Number || !progressElement.TryGetInt32(out var p))
                {
                    return HttpProblems.From(HeraldError.BadRequest("'progress' must be an integer between 0 and 100"));
                }
                progress = p;
            }
            var result = root.TryGetProperty("result", out var resultElement) && resultElement.ValueKind != JsonValueKind.Null ? JsonBody.Raw(root, "result") : default;
            var (operation, updateError) = await operations.UpdateAsync(id, new OperationUpdate(status, progress, message, errorText, result), actor!, context.RequestAborted).ConfigureAwait(false);
            return updateError is not null ? Problem(updateError) : Json(operation!, StatusCodes.Status200OK);
        }
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
        return error is not null ? Problem(error) : Accepted(operation!);
    }

    private static IResult Accepted(Operation operation) => Json(operation, StatusCodes.Status202Accepted, $"/api/operations/{operation.Id}");

    private static IResult Json(Operation operation, int status, string? location = null) =>
        new JsonBytesResult(OperationJson.Serialize(operation), status, location);

    private static IResult Problem(OperationError error) => error.Kind switch
    {
        OperationErrorKind.NotFound => HttpProblems.Result(StatusCodes.Status404NotFound, error.Message),
        OperationErrorKind.Forbidden => HttpProblems.Result(StatusCodes.Status403Forbidden, error.Message),
        OperationErrorKind.Conflict => TypedResults.Problem(detail: error.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            extensions: error.ExistingId is null ? null : new Dictionary<string, object?> { ["existingId"] = error.ExistingId }),
        _ => HttpProblems.Result(StatusCodes.Status400BadRequest, error.Message),
    };
}

/// <summary>Pre-serialized JSON with a status code and an optional Location header.</summary>
internal sealed class JsonBytesResult(byte[] body, int status, string? location = null) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = "application/json";
        if (location is not null)
        {
            httpContext.Response.Headers.Location = location;
        }
        return httpContext.Response.Body.WriteAsync(body).AsTask();
    }
}
