using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.AspNetCore.Http.Contracts;

/// <summary>
/// A JSON value of a request body, bound as where it lies in the body rather than as a parsed
/// tree: the endpoint copies those bytes once (<see cref="JsonRequest{T}.Copy"/>), verbatim, so
/// what a backend sent as <c>data</c> reaches subscribers byte for byte without being re-serialized.
/// Any JSON value is accepted; <c>default</c> means the field was absent.
/// </summary>
/// <remarks>
/// The positions are those of the reader that binds the whole body from one span
/// (<see cref="JsonBody"/>), so a body type must bind through a parameterless constructor and
/// init properties: a constructor-bound type may re-read properties from a copy of the reader.
/// </remarks>
[JsonConverter(typeof(RawJsonSliceConverter))]
[Description("Any JSON value, kept verbatim.")]
internal readonly record struct RawJsonSlice(int Start, int Length, JsonTokenType Token)
{
    /// <summary>The field was present (possibly as <c>null</c>).</summary>
    public bool IsPresent => Length > 0;

    /// <summary>The field was present with a value other than <c>null</c>.</summary>
    public bool HasValue => IsPresent && Token != JsonTokenType.Null;
}

/// <summary>Binds a <see cref="RawJsonSlice"/>: any value, skipped over without being parsed into a tree.</summary>
internal class RawJsonSliceConverter : JsonConverter<RawJsonSlice>
{
    // Null is a value here: a body's "data": null is kept as the four bytes it is.
    public override bool HandleNull => true;

    public override RawJsonSlice Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var start = checked((int)reader.TokenStartIndex);
        var token = reader.TokenType;
        reader.Skip();
        return new RawJsonSlice(start, checked((int)reader.BytesConsumed) - start, token);
    }

    public override void Write(Utf8JsonWriter writer, RawJsonSlice value, JsonSerializerOptions options) =>
        throw new NotSupportedException("a request body's raw value is read, never written");
}

/// <summary>Binds a <see cref="RawJsonSlice"/> that must be a JSON object or <c>null</c>.</summary>
internal sealed class RawJsonObjectSliceConverter : RawJsonSliceConverter
{
    public override RawJsonSlice Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType is JsonTokenType.StartObject or JsonTokenType.Null
            ? base.Read(ref reader, typeToConvert, options)
            : throw new JsonException();
}
