namespace Herald.Core;

/// <summary>A request failed with one of the documented <see cref="HeraldErrorCode"/>s.</summary>
public sealed class HeraldException(HeraldErrorCode code, string message) : Exception(message)
{
    public HeraldErrorCode Code { get; } = code;
}

/// <summary>The outcome of a request: success, or an error with its code and message.</summary>
public readonly record struct HeraldError(HeraldErrorCode Code, string Message)
{
    public static HeraldError BadRequest(string message) => new(HeraldErrorCode.BadRequest, message);
}
