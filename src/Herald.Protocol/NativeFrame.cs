using Herald.Messages.Requests;

namespace Herald.Protocol;

/// <summary>A decoded native frame: the envelope (<c>type</c>, <c>id</c>) and the request it carries.</summary>
public sealed class NativeFrame
{
    /// <summary>The <c>type</c> as sent; null when absent.</summary>
    public string? TypeName { get; internal set; }

    /// <summary>The request the <c>type</c> names, once known.</summary>
    public RequestKind Kind { get; internal set; }

    /// <summary>The request id as raw JSON (a string or an integer), echoed verbatim in the answer; null when absent.</summary>
    public byte[]? Id { get; internal set; }

    /// <summary>The request's fields as read, for diagnostics and tests.</summary>
    public RequestFields Fields { get; } = new();

    /// <summary>The request, when the frame decoded; null on failure.</summary>
    public HeraldRequest? Request { get; internal set; }
}
