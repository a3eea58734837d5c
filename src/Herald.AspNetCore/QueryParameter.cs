using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore;

/// <summary>
/// Reads one query parameter without <see cref="HttpRequest.Query"/>, which parses every
/// parameter into a dictionary that the request keeps: for a WebSocket that is the life of the
/// connection, and the copy of a <c>?token=</c> would stay in memory with it.
/// </summary>
internal static class QueryParameter
{
    /// <summary>The first value of <paramref name="name"/> (unescaped, <c>+</c> as space), or null when absent.</summary>
    public static string? Get(HttpRequest request, string name)
    {
        var query = Query(request);
        return Next(ref query, name, out var value) ? value : null;
    }

    /// <summary>Every value of <paramref name="name"/>, in order.</summary>
    public static List<string> GetAll(HttpRequest request, string name)
    {
        var values = new List<string>();
        var query = Query(request);
        while (Next(ref query, name, out var value))
        {
            values.Add(value);
        }
        return values;
    }

    private static ReadOnlySpan<char> Query(HttpRequest request)
    {
        var query = request.QueryString.Value.AsSpan();
        return query.StartsWith('?') ? query[1..] : query;
    }

    /// <summary>Finds the next <paramref name="name"/>=value pair in <paramref name="query"/> and moves past it.</summary>
    private static bool Next(ref ReadOnlySpan<char> query, string name, out string value)
    {
        while (!query.IsEmpty)
        {
            var end = query.IndexOf('&');
            var pair = end < 0 ? query : query[..end];
            query = end < 0 ? default : query[(end + 1)..];
            var equals = pair.IndexOf('=');
            if (!(equals < 0 ? pair : pair[..equals]).SequenceEqual(name))
            {
                continue;
            }
            var raw = equals < 0 ? default : pair[(equals + 1)..];
            value = raw.IndexOfAny('%', '+') < 0 ? raw.ToString() : Uri.UnescapeDataString(raw.ToString().Replace('+', ' '));
            return true;
        }
        value = "";
        return false;
    }
}
