using Herald.Core.History;

namespace Herald.Protocol;

/// <summary>A decoded client frame. Fields not sent are null.</summary>
public sealed class NativeRequest
{
    public NativeMessageType Type { get; set; }

    /// <summary>The <c>type</c> as sent, for error messages.</summary>
    public string? TypeName { get; set; }

    /// <summary>The request id as raw JSON (a string or an integer), echoed verbatim in the answer; null when absent.</summary>
    public byte[]? Id { get; set; }

    public string? Channel { get; set; }

    /// <summary>The <c>data</c> value as raw UTF-8 JSON; empty when absent.</summary>
    public ReadOnlyMemory<byte> Data { get; set; }

    /// <summary>True when <c>filters</c> was present (null or an object).</summary>
    public bool HasFilters { get; set; }

    public Dictionary<string, IReadOnlyList<string>>? Filters { get; set; }

    /// <summary>The token of a <c>connect</c>.</summary>
    public string? Token { get; set; }

    /// <summary>The publication type of a <c>publish</c> (field <c>event</c> or <c>data.type</c> is not used: see docs).</summary>
    public string? PublicationType { get; set; }

    public string? Key { get; set; }

    public Dictionary<string, string>? Tags { get; set; }

    /// <summary>The <c>since</c> offset of a recovering <c>subscribe</c> or of <c>request_history</c>.</summary>
    public long? SinceOffset { get; set; }

    /// <summary>The <c>since</c> epoch; null when only an offset was given.</summary>
    public string? SinceEpoch { get; set; }

    /// <summary>The full <c>since</c> position when both offset and epoch were given.</summary>
    public StreamPosition? Since => SinceOffset is { } offset && SinceEpoch is { } epoch ? new StreamPosition(offset, epoch) : null;

    /// <summary>The presence <c>info</c> of a <c>subscribe</c> (a JSON object), raw; empty when absent.</summary>
    public ReadOnlyMemory<byte> Info { get; set; }

    /// <summary>The <c>limit</c> of <c>request_history</c>.</summary>
    public int? Limit { get; set; }
}
