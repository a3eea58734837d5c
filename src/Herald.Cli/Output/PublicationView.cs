using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Herald.Cli.Output;

/// <summary>
/// A publication as <c>tail</c> and <c>history</c> print it, whichever way it arrived: one line a
/// person reads, or one JSON object a script reads (the fields of a publication frame).
/// </summary>
internal sealed record PublicationView(
    string Channel,
    string Type,
    string DataJson,
    long? Offset,
    string? Epoch,
    DateTimeOffset? Timestamp,
    string? Key,
    IReadOnlyDictionary<string, string>? Tags,
    string? Id)
{
    /// <summary><c>12:04:31.207  org:acme  #7  workspace.status  {"status":"RUNNING"}  status=running</c>, coloured on a terminal.</summary>
    public void WritePretty(CliConsole console)
    {
        var time = (Timestamp ?? DateTimeOffset.UtcNow).ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var offset = Offset is { } o ? "#" + o.ToString(CultureInfo.InvariantCulture) : "-";
        var tags = Tags is { Count: > 0 } t ? string.Join(' ', t.Select(kv => $"{kv.Key}={kv.Value}")) : "";
        var key = Key is null ? "" : $"key={Key}";
        if (console.Color)
        {
            var line = new StringBuilder();
            line.Append(CultureInfo.InvariantCulture, $"[grey]{time}[/]  [cyan]{Markup.Escape(Channel)}[/]  [grey]{offset}[/]  [bold yellow]{Markup.Escape(Type)}[/]  {Markup.Escape(DataJson)}");
            if (key.Length > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $"  [blue]{Markup.Escape(key)}[/]");
            }
            if (tags.Length > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $"  [green]{Markup.Escape(tags)}[/]");
            }
            console.Ansi.MarkupLine(line.ToString());
            console.Out.Flush();
            return;
        }
        var plain = $"{time}  {Channel}  {offset}  {Type}  {DataJson}";
        if (key.Length > 0)
        {
            plain += "  " + key;
        }
        if (tags.Length > 0)
        {
            plain += "  " + tags;
        }
        console.WriteLine(plain);
    }

    /// <summary>One JSON object on one line, with the publication frame's field names.</summary>
    public string ToJsonLine()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("channel", Channel);
            writer.WriteString("type", Type);
            writer.WritePropertyName("data");
            writer.WriteRawValue(DataJson.Length == 0 ? "null" : DataJson);
            if (Offset is { } offset)
            {
                writer.WriteNumber("offset", offset);
            }
            if (Epoch is not null)
            {
                writer.WriteString("epoch", Epoch);
            }
            if (Timestamp is { } timestamp)
            {
                writer.WriteString("timestamp", timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            }
            if (Id is not null)
            {
                writer.WriteString("publicationId", Id);
            }
            if (Key is not null)
            {
                writer.WriteString("key", Key);
            }
            if (Tags is { Count: > 0 } tags)
            {
                writer.WriteStartObject("tags");
                foreach (var (name, value) in tags)
                {
                    writer.WriteString(name, value);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes it as <c>--json</c> asks: a JSON line, or the pretty line.</summary>
    public void Write(CliConsole console, bool json)
    {
        if (json)
        {
            console.WriteLine(ToJsonLine());
        }
        else
        {
            WritePretty(console);
        }
    }
}

/// <summary>Views of the client's publications.</summary>
internal static class PublicationViews
{
    public static PublicationView From(Herald.Messages.Publication p) => new(
        p.Channel, p.Type, Encoding.UTF8.GetString(p.Data.Span), p.Epoch is null ? null : p.Offset, p.Epoch,
        p.Timestamp == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(p.Timestamp), p.Key, p.Tags, p.Id.Length == 0 ? null : p.Id);
}
