using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Herald.Core;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Http;

/// <summary>
/// Reads a JSON request body within the size limit: 415 for another content type, 413 when too
/// large, 400 for malformed JSON. Field helpers answer 400 with a message naming the field.
/// </summary>
internal static class JsonBody
{
    public static async Task<(JsonDocument? Document, IResult? Problem)> ReadAsync(HttpContext context, int maxBytes)
    {
        var request = context.Request;
        var contentType = request.ContentType;
        if (contentType is null || !IsJson(contentType))
        {
            return (null, HttpProblems.Result(StatusCodes.Status415UnsupportedMediaType, "the body must be JSON (Content-Type: application/json)"));
        }
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes + 1, 16 * 1024));
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (count > maxBytes)
                    {
                        return (null, TooLarge(maxBytes));
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(count), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                count += read;
                if (count > maxBytes)
                {
                    return (null, TooLarge(maxBytes));
                }
            }
            try
            {
                return (JsonDocument.Parse(buffer.AsMemory(0, count).ToArray()), null);
            }
            catch (JsonException ex)
            {
                return (null, HttpProblems.Result(StatusCodes.Status400BadRequest, $"malformed JSON: {ex.Message}", HeraldErrorCode.BadRequest));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IResult TooLarge(int maxBytes) =>
        HttpProblems.Result(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {maxBytes} bytes");

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    public static HeraldError? RequireObject(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object ? null : HeraldError.BadRequest("the body must be a JSON object");

    /// <summary>An optional string field; an error when present with another type.</summary>
    public static HeraldError? String(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.String)
        {
            return HeraldError.BadRequest($"'{name}' must be a string");
        }
        value = element.GetString();
        return null;
    }

    /// <summary>The raw UTF-8 JSON of a field, copied; empty when absent.</summary>
    public static ReadOnlyMemory<byte> Raw(JsonElement root, string name) =>
        root.TryGetProperty(name, out var element) ? JsonMarshal.GetRawUtf8Value(element).ToArray() : default;

    /// <summary>An optional object of strings.</summary>
    public static HeraldError? StringMap(JsonElement root, string name, out Dictionary<string, string>? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            return HeraldError.BadRequest($"'{name}' must be an object of strings");
        }
        value = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                return HeraldError.BadRequest($"'{name}.{property.Name}' must be a string");
            }
            value[property.Name] = property.Value.GetString()!;
        }
        return null;
    }

    /// <summary>A required array of strings.</summary>
    public static HeraldError? StringArray(JsonElement root, string name, out List<string> value)
    {
        value = [];
        if (!root.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.Array)
        {
            return HeraldError.BadRequest($"'{name}' must be an array of strings");
        }
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return HeraldError.BadRequest($"'{name}' must be an array of strings");
            }
            value.Add(item.GetString()!);
        }
        return null;
    }
}
