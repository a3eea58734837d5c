namespace Herald.Messages;

/// <summary>The outcome of a request: success, or an error with its code and message.</summary>
public readonly record struct HeraldError(HeraldErrorCode Code, string Message)
{
    public static HeraldError BadRequest(string message) => new(HeraldErrorCode.BadRequest, message);
}
