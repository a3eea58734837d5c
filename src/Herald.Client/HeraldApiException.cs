using System.Net;
using Herald.Messages;

namespace Herald.Client;

/// <summary>
/// The server refused an HTTP API call: its status, the Herald error <see cref="Code"/> when the
/// problem details carry one (see the error code table of the protocol), and the server's
/// <see cref="Detail"/>. Failures to reach the server stay <see cref="HttpRequestException"/>s.
/// </summary>
public sealed class HeraldApiException : Exception
{
    public HeraldApiException(HttpStatusCode status, HeraldErrorCode? code, string detail, string? existingId = null)
        : base(detail)
    {
        Status = status;
        Code = code;
        Detail = detail;
        ExistingId = existingId;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The Herald error code of the problem details, or null when the answer has none (404, 409, API key problems).</summary>
    public HeraldErrorCode? Code { get; }

    /// <summary>The server's own explanation, such as <c>namespace 'nope' is not configured</c>.</summary>
    public string Detail { get; }

    /// <summary>For a 409 on a duplicate operation, the id of the operation already running.</summary>
    public string? ExistingId { get; }
}
