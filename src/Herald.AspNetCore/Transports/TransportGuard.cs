using Herald.AspNetCore.Internal;
using Herald.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports;

/// <summary>The checks every streaming transport makes before it accepts a connection.</summary>
internal static class TransportGuard
{
    /// <summary>Answers 503 while shutting down and 403 for an origin not on the allow-list; true when the request may go on.</summary>
    public static async Task<bool> AdmitAsync(HttpContext context, Node node, OriginPolicy origins, ILogger logger)
    {
        if (node.IsShuttingDown)
        {
            await HttpProblems.Write(context, StatusCodes.Status503ServiceUnavailable, "server is shutting down").ConfigureAwait(false);
            return false;
        }
        if (!origins.IsAllowed(context))
        {
            logger.OriginRefused(context.Request.Headers.Origin.ToString(), context.Request.Path);
            await HttpProblems.Write(context, StatusCodes.Status403Forbidden, "origin not allowed").ConfigureAwait(false);
            return false;
        }
        return true;
    }
}
