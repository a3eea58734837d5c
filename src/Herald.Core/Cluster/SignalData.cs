using System.Text.Json;
using Herald.Messages;

namespace Herald.Core.Cluster;

/// <summary>The data of a signal: one JSON object of string fields, such as <c>{"user":"u_1"}</c>.</summary>
internal static class SignalData
{
    public static byte[] Write(params ReadOnlySpan<(string Name, string? Value)> fields)
    {
        var copy = fields.ToArray();
        return JsonBytes.Write(w =>
        {
            w.WriteStartObject();
            foreach (var (name, value) in copy)
            {
                if (value is not null)
                {
                    w.WriteString(name, value);
                }
            }
            w.WriteEndObject();
        }, 64);
    }

    /// <summary>The string field <paramref name="name"/>, or null when it is missing or the data is not such an object.</summary>
    public static string? Read(ReadOnlyMemory<byte> data, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
