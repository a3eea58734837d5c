using Herald.Messages;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore;

/// <summary>Problem-details answers (RFC 9457) of the HTTP API; the Herald error code, when there is one, is in <c>code</c>.</summary>
internal static class HttpProblems
{
    public static IResult Result(int status, string detail, HeraldErrorCode? code = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: Title(status),
            extensions: code is { } c ? new Dictionary<string, object?> { ["code"] = (int)c } : null);

    /// <summary>Maps a Herald error to its HTTP status: 401 for tokens, 403 for scoping and unavailable operations, 400 otherwise.</summary>
    public static IResult From(HeraldError error) => Result(error.Code switch
    {
        HeraldErrorCode.Unauthorized or HeraldErrorCode.TokenExpired => StatusCodes.Status401Unauthorized,
        HeraldErrorCode.PermissionDenied => StatusCodes.Status403Forbidden,
        HeraldErrorCode.NotAvailable => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status400BadRequest,
    }, error.Message, error.Code);

    /// <summary>
    /// Endpoint filter of the whole HTTP API: a store that cannot take writes (<see cref="Core.StorageUnavailableException"/>)
    /// is 503 with its reason, code <see cref="HeraldErrorCode.StorageUnavailable"/> and <c>Retry-After</c>, never a 2xx or a 500.
    /// </summary>
    public static async ValueTask<object?> StorageFaultsAs503(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Core.StorageUnavailableException ex)
        {
            context.HttpContext.Response.Headers.RetryAfter = "5";
            return Result(StatusCodes.Status503ServiceUnavailable, ex.Message, HeraldErrorCode.StorageUnavailable);
        }
    }

    /// <summary>Writes a problem directly (outside endpoint results, e.g. before a WebSocket upgrade).</summary>
    public static Task Write(HttpContext context, int status, string detail) => Result(status, detail).ExecuteAsync(context);

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Error",
    };
}
