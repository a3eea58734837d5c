using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Herald.AspNetCore.Http.Contracts;
using Herald.Messages;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Http;

/// <summary>
/// Reads a JSON request body within the size limit and binds it to its record: 415 for another
/// content type, 413 when too large (checked while streaming, not only from Content-Length), 400
/// with code 107 for malformed JSON, a body that is not an object, or a field of the wrong type,
/// with a message naming the field.
/// </summary>
/// <remarks>
/// The body is read into one pooled buffer and bound from it in place; raw values such as
/// <c>data</c> are copied out of it once (<see cref="JsonRequest{T}.Copy"/>).
/// </remarks>
internal static class JsonBody
{
    public const string ContentType = "application/json";

    private const int MaxInitialBuffer = 16 * 1024;

    public static async Task<(JsonRequest<T> Body, IResult? Problem)> ReadAsync<T>(HttpContext context, int maxBytes, JsonTypeInfo<T> typeInfo)
        where T : class, IRequestBody<T>
    {
        var request = context.Request;
        if (request.ContentType is not { } contentType || !IsJson(contentType))
        {
            return (default, HttpProblems.Result(StatusCodes.Status415UnsupportedMediaType, "the body must be JSON (Content-Type: application/json)"));
        }
        if (request.ContentLength > maxBytes)
        {
            return (default, TooLarge(maxBytes));
        }
        var (buffer, count) = await ReadBoundedAsync(request, maxBytes, context.RequestAborted).ConfigureAwait(false);
        if (buffer is null)
        {
            return (default, TooLarge(maxBytes));
        }
        if (Bind(buffer.AsSpan(0, count), typeInfo, out var value) is { } error)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (default, HttpProblems.From(error));
        }
        return (new JsonRequest<T>(value!, buffer), null);
    }

    /// <summary>The body in a pooled buffer, or a null buffer when it is larger than <paramref name="maxBytes"/>.</summary>
    private static async Task<(byte[]? Buffer, int Count)> ReadBoundedAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var initial = request.ContentLength is { } length ? (int)length + 1 : Math.Min(maxBytes + 1, MaxInitialBuffer);
        var buffer = ArrayPool<byte>.Shared.Rent(initial);
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes + 1));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, count);
                }
                count += read;
                if (count > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, 0);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Binds <paramref name="json"/>; a syntax error anywhere wins over a field of the wrong type.</summary>
    internal static HeraldError? Bind<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, out T? value)
        where T : class, IRequestBody<T>
    {
        try
        {
            value = JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (JsonException ex)
        {
            value = null;
            return Malformed(json) ?? HeraldError.BadRequest(WrongType<T>(ex.Path));
        }
        return value is null ? HeraldError.BadRequest(NotAnObject) : value.Validate();
    }

    private const string NotAnObject = "the body must be a JSON object";

    /// <summary>The reader's own message for the first syntax error, as parsing the body whole would give it.</summary>
    private static HeraldError? Malformed(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
            }
            return null;
        }
        catch (JsonException ex)
        {
            return HeraldError.BadRequest($"malformed JSON: {ex.Message}");
        }
    }

    /// <summary>Maps the serializer's path (<c>$.tags.a</c>, <c>$.tags['a b']</c>, <c>$.channels[2]</c>) to the body's message for that field.</summary>
    private static string WrongType<T>(string? path) where T : class, IRequestBody<T>
    {
        if (path is null || !path.StartsWith('$') || path.Length == 1)
        {
            return NotAnObject;
        }
        var rest = path.AsSpan(1);
        var field = NextSegment(ref rest);
        var member = rest.IsEmpty ? null : NextSegment(ref rest);
        return field.Length == 0 ? NotAnObject : T.WrongType(field, member);
    }

    private static string NextSegment(ref ReadOnlySpan<char> path)
    {
        string segment;
        if (path.StartsWith("['"))
        {
            var end = path.IndexOf("']");
            segment = end < 0 ? path[2..].ToString() : path[2..end].ToString();
            path = end < 0 ? default : path[(end + 2)..];
        }
        else
        {
            var skip = path.StartsWith('.') || path.StartsWith('[') ? 1 : 0;
            var end = path[skip..].IndexOfAny('.', '[');
            segment = (end < 0 ? path[skip..] : path.Slice(skip, end)).TrimEnd(']').ToString();
            path = end < 0 ? default : path[(skip + end)..];
        }
        return segment;
    }

    private static IResult TooLarge(int maxBytes) =>
        HttpProblems.Result(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {maxBytes} bytes");

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.AsSpan();
        if (mediaType.IndexOf(';') is >= 0 and var semicolon)
        {
            mediaType = mediaType[..semicolon];
        }
        mediaType = mediaType.Trim();
        return mediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase)
            || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// A bound body and the pooled buffer it was read into. <see cref="Copy"/> takes a raw value out
/// of the buffer; dispose it once, when the raw values have been copied.
/// </summary>
internal readonly struct JsonRequest<T>(T value, byte[] buffer) : IDisposable
{
    public T Value => value;

    /// <summary>The bytes of <paramref name="slice"/>, copied out of the buffer; empty when absent.</summary>
    public ReadOnlyMemory<byte> Copy(RawJsonSlice slice) =>
        slice.IsPresent ? buffer.AsSpan(slice.Start, slice.Length).ToArray() : default;

    public void Dispose()
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
