using System.Text.Json.Serialization.Metadata;
using Herald.AspNetCore.Http.Contracts;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Http;

/// <summary>
/// Writes an answer through its record's source-generated metadata (<see cref="HeraldHttpJsonContext"/>),
/// so the JSON is the same whatever JSON settings the host application chose.
/// </summary>
internal static class HttpJson
{
    public static HeraldHttpJsonContext Context => HeraldHttpJsonContext.Default;

    public static IResult Write<T>(T value, JsonTypeInfo<T> typeInfo, int status = StatusCodes.Status200OK) =>
        TypedResults.Json(value, typeInfo, statusCode: status);
}
