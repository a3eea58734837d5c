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
        var values = new List<string>(1);
        Collect(request, name, values, first: true);
        return values.Count == 0 ? null : values[0];
    }

    /// <summary>Every value of <paramref name="name"/>, in order.</summary>
    public static List<string> GetAll(HttpRequest request, string name)
    {
        var values = new List<string>();
        Collect(request, name, values, first: false);
        return values;
    }

    private static void Collect(HttpRequest request, string name, List<string> values, bool first)
    {
        var query = request.QueryString.Value.AsSpan();
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }
        while (!query.IsEmpty)
        {
            var end = query.IndexOf('&');
            var pair = end < 0 ? query : query[..end];
            query = end < 0 ? default : query[(end + 1)..];
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (!key.SequenceEqual(name))
            {
                continue;
            }
            var value = equals < 0 ? default : pair[(equals + 1)..];
            values.Add(value.IndexOfAny('%', '+') < 0 ? value.ToString() : Uri.UnescapeDataString(value.ToString().Replace('+', ' ')));
            if (first)
            {
                return;
            }
        }
    }
}
