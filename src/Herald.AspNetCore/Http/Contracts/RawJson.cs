using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.AspNetCore.Http.Contracts;

/// <summary>
/// Stored JSON written into an answer verbatim (a publication's <c>data</c>, an operation's
/// <c>result</c>, presence <c>info</c>); empty is written as <c>null</c>. Herald validated the
/// bytes when it accepted them, so they are not checked again.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
[Description("Any JSON value, as it was given to Herald.")]
internal readonly record struct RawJson(ReadOnlyMemory<byte> Utf8)
{
    public static implicit operator RawJson(ReadOnlyMemory<byte> utf8) => new(utf8);
}

/// <summary>Writes a <see cref="RawJson"/>; answers are written, never read.</summary>
internal sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("stored JSON is written into answers, never read");

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options)
    {
        if (value.Utf8.IsEmpty)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
        }
    }
}
