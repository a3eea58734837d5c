namespace Herald.Core.Operations;

/// <summary>Why an operation request failed; maps to an HTTP status.</summary>
public enum OperationErrorKind
{
    BadRequest,
    NotFound,
    Forbidden,
    Conflict,
}

/// <summary>A failed operation request: its kind, a message, and for conflicts the blocking operation's id.</summary>
public sealed record OperationError(OperationErrorKind Kind, string Message, string? ExistingId = null)
{
    public static OperationError BadRequest(string message) => new(OperationErrorKind.BadRequest, message);

    public static OperationError NotFound(string id) => new(OperationErrorKind.NotFound, $"operation '{id}' was not found");

    public static OperationError Conflict(string message, string? existingId = null) => new(OperationErrorKind.Conflict, message, existingId);
}

/// <summary>Who acts on operations: a user of an organisation, or a backend's API key.</summary>
public sealed record OperationActor(string Name, string? OrgId, Auth.HeraldPrincipal? User)
{
    public static OperationActor ForUser(Auth.HeraldPrincipal user) => new(user.UserId, user.OrgId, user);

    public static OperationActor ForApiKey(string keyName) => new("api:" + keyName, null, null);

    /// <summary>True when the actor may see operations of this organisation (API keys see all).</summary>
    public bool CanSee(string orgId) => OrgId is null || OrgId == orgId;
}

/// <summary>A create request (<c>POST /api/operations</c>).</summary>
public sealed record OperationRequest(string? Type, string? Resource, ReadOnlyMemory<byte> Parameters, string? IdempotencyKey, string? OrgId = null);

/// <summary>A worker's update (<c>PATCH /api/operations/{id}</c>); null fields are unchanged.</summary>
public sealed record OperationUpdate(OperationStatus? Status, int? Progress, string? Message, string? Error, ReadOnlyMemory<byte> Result);
