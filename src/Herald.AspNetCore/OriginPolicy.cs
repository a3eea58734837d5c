using Herald.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Herald.AspNetCore;

/// <summary>
/// The origin allow-list, checked before a WebSocket upgrade (against cross-site
/// WebSocket hijacking) and used for CORS. No <c>Origin</c> header means a non-browser client,
/// which is allowed; a browser's same-origin request is always allowed.
/// </summary>
internal sealed class OriginPolicy(IOptions<HeraldOptions> options)
{
    private readonly HashSet<string> _allowed = new(options.Value.AllowedOrigins.Select(Normalize), StringComparer.OrdinalIgnoreCase);

    /// <summary>True when any origin is allowed (<c>*</c>).</summary>
    public bool AllowsAny => _allowed.Contains("*");

    /// <summary>True when the origin is on the list.</summary>
    public bool IsListed(string origin) => AllowsAny || _allowed.Contains(Normalize(origin));

    /// <summary>True when the request may proceed.</summary>
    public bool IsAllowed(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }
        if (IsListed(origin))
        {
            return true;
        }
        var request = context.Request;
        return string.Equals(Normalize(origin), $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase);
    }

    private static string Normalize(string origin) => origin.Trim().TrimEnd('/');
}
