using System.Text.Json.Serialization;
using Herald.Core.Operations;

namespace Herald.AspNetCore.Http.Contracts;

/// <summary>The body of <c>POST /api/operations</c>.</summary>
internal sealed record CreateOperationBody : IRequestBody<CreateOperationBody>
{
    /// <summary>Required: what the operation does, 1–128 characters of <c>A-Z a-z 0-9 _ . - :</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Required: the channel of the resource it acts on.</summary>
    public string? Resource { get; init; }

    /// <summary>Optional: a JSON object or <c>null</c>, kept verbatim.</summary>
    [JsonConverter(typeof(RawJsonObjectSliceConverter))]
    public RawJsonSlice Parameters { get; init; }

    /// <summary>Optional: a second start with the same key answers the first operation.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>API keys only: the organisation, when the resource's namespace is not organisation-scoped.</summary>
    public string? Org { get; init; }

    public static string WrongType(string field, string? member) =>
        field == "parameters" ? "'parameters' must be a JSON object" : $"'{field}' must be a string";
}

/// <summary>The body of <c>PATCH /api/operations/{id}</c>, a worker's update: absent and <c>null</c> fields stay unchanged.</summary>
internal sealed record UpdateOperationBody : IRequestBody<UpdateOperationBody>
{
    /// <summary><c>pending</c>, <c>running</c>, <c>completed</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public string? Status { get; init; }

    /// <summary>An integer 0–100, not lower than the current progress.</summary>
    public int? Progress { get; init; }

    public string? Message { get; init; }

    public string? Error { get; init; }

    /// <summary>Any JSON value, kept verbatim.</summary>
    public RawJsonSlice Result { get; init; }

    public static string WrongType(string field, string? member) =>
        field == "progress" ? "'progress' must be an integer between 0 and 100" : $"'{field}' must be a string";
}

/// <summary>An operation as every answer and event shows it.</summary>
internal sealed record OperationResponse(
    string Id,
    string Channel,
    string Org,
    string Type,
    string Resource,
    string Status,
    int Progress,
    string? Message,
    string? Error,
    RawJson Parameters,
    RawJson Result,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    int Attempt,
    string? RetryOf,
    string? IdempotencyKey,
    bool CancelRequested)
{
    public static OperationResponse From(Operation o) => new(
        o.Id, o.Channel, o.OrgId, o.Type, o.Resource, o.Status.ToWire(), o.Progress, o.Message, o.Error,
        o.Parameters, o.Result, o.CreatedBy, o.CreatedAt, o.UpdatedAt, o.CompletedAt, o.Attempt, o.RetryOf,
        o.IdempotencyKey, o.CancelRequested);
}

/// <summary>A list of operations, newest first.</summary>
internal sealed record OperationListResponse(IReadOnlyList<OperationResponse> Items);
