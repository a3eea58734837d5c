using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using OpenTelemetry.Metrics;

namespace Herald.Server.Tests;

/// <summary>
/// <c>/metrics</c>, OpenTelemetry and <c>/api/stats</c> read the same instruments, named as
/// <c>docs/metrics.md</c> documents them.
/// </summary>
public sealed partial class MetricsTests : IAsyncLifetime
{
    private const string Channel = "org:acme";

    // Gauges that change between two reads without anything happening on the node.
    private static readonly string[] Moving = ["herald.process.memory", "herald.gc.heap", "herald.uptime"];

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Metrics_AfterAWebSocketClientReceivedAPublication_ShowsTheDocumentedNamesByTransport()
    {
        await using var client = await ReceiveOnePublicationAsync();
        await DisconnectAnotherUserAsync();

        using var response = await _server.Http.GetAsync("/metrics");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await response.Content.ReadAsStringAsync();
        var samples = Parse(text);

        foreach (var instrument in Documented())
        {
            text.ShouldContain($"# TYPE {instrument.Prometheus} ", customMessage: instrument.Name);
        }
        Value(samples, "herald_connections_active", ("transport", "websocket")).ShouldBe(1);
        Value(samples, "herald_connections_active", ("transport", "sse")).ShouldBe(0);
        Value(samples, "herald_connections_active", ("transport", "socketio")).ShouldBe(0);
        Value(samples, "herald_connections_accepted_total", ("transport", "websocket")).ShouldBe(2);
        Value(samples, "herald_connections_disconnected_total", ("transport", "websocket"), ("code", "3504")).ShouldBe(1);
        Value(samples, "herald_messages_sent_total", ("transport", "websocket")).ShouldBe(1);
        Value(samples, "herald_messages_sent_total", ("transport", "sse")).ShouldBe(0);
        Value(samples, "herald_messages_received_total", ("transport", "websocket")).ShouldBe(1); // the subscribe
        Value(samples, "herald_messages_dropped_total", ("transport", "websocket")).ShouldBe(0);
        Value(samples, "herald_connections_slow_consumer_total", ("transport", "websocket")).ShouldBe(0);
        Value(samples, "herald_publications_total").ShouldBe(1);
        Value(samples, "herald_subscriptions_active").ShouldBe(1);
        Value(samples, "herald_channels_active").ShouldBe(1);
        Value(samples, "herald_users_active").ShouldBe(1);
        Value(samples, "herald_gc_heap_bytes").ShouldBeGreaterThan(0);
        Value(samples, "herald_process_memory_bytes").ShouldBeGreaterThan(0);
        samples.ShouldNotContain(s => s.Name.StartsWith("herald_", StringComparison.Ordinal) && (s.Labels.ContainsKey("channel") || s.Labels.ContainsKey("user")));
    }

    [Fact]
    public async Task MeterListener_SeesTheSameInstrumentsWithTheSameValuesAsMetricsAndStats()
    {
        await using var client = await ReceiveOnePublicationAsync();
        await DisconnectAnotherUserAsync();
        var samples = Parse(await _server.Http.GetStringAsync("/metrics"));
        var stats = await _server.GetJsonAsync("/api/stats");
        var (instruments, measured) = Measure(_server.Services.GetRequiredService<IMeterFactory>());

        var documented = Documented().ToDictionary(i => i.Name, i => i.Prometheus);
        instruments.Order(StringComparer.Ordinal).ShouldBe(documented.Keys.Order(StringComparer.Ordinal));
        measured.Select(m => m.Instrument).Distinct().Count().ShouldBe(instruments.Count);
        var compared = 0;
        foreach (var (instrument, tags, value) in measured.Where(m => !Moving.Contains(m.Instrument)))
        {
            var sample = samples.Where(s => s.Name == documented[instrument] && SameLabels(s.Labels, tags)).ShouldHaveSingleItem($"{instrument} {string.Join(",", tags)}");
            sample.Value.ShouldBe(value, $"{instrument} {string.Join(",", tags)}");
            compared++;
        }
        compared.ShouldBeGreaterThan(20);
        // Every Herald sample on /metrics comes from one of those measurements.
        samples.Count(s => s.Name.StartsWith("herald_", StringComparison.Ordinal)).ShouldBe(measured.Count);

        double Sum(string instrument) => measured.Where(m => m.Instrument == instrument).Sum(m => m.Value);
        stats.GetProperty("connections").GetInt64().ShouldBe((long)Sum("herald.connections.active"));
        stats.GetProperty("users").GetInt64().ShouldBe((long)Sum("herald.users.active"));
        stats.GetProperty("channels").GetInt64().ShouldBe((long)Sum("herald.channels.active"));
        stats.GetProperty("subscriptions").GetInt64().ShouldBe((long)Sum("herald.subscriptions.active"));
        stats.GetProperty("messagesIn").GetInt64().ShouldBe((long)Sum("herald.messages.received"));
        stats.GetProperty("messagesOut").GetInt64().ShouldBe((long)Sum("herald.messages.sent"));
        stats.GetProperty("publications").GetInt64().ShouldBe((long)Sum("herald.publications"));
        stats.GetProperty("dropped").GetInt64().ShouldBe((long)Sum("herald.messages.dropped"));
        stats.GetProperty("slowConsumers").GetInt64().ShouldBe((long)Sum("herald.connections.slow_consumer"));
    }

    [Fact]
    public async Task Metrics_OfTwoServersInOneProcess_EachShowTheirOwnNode()
    {
        await using var other = await TestServer.StartAsync();
        await using var client = await ReceiveOnePublicationAsync();
        var samples = Parse(await other.Http.GetStringAsync("/metrics"));
        Value(samples, "herald_connections_active", ("transport", "websocket")).ShouldBe(0);
        Value(samples, "herald_publications_total").ShouldBe(0);
        samples.Count(s => s.Name == "herald_publications_total").ShouldBe(1);
    }

    [Fact]
    public async Task Metrics_WhenTheAppConfiguresItsOwnOpenTelemetry_ServesItsMetersAndHeralds()
    {
        const string AppMeter = "Herald.Tests.App";
        await using var server = await TestServer.StartAsync(services: s => s.AddOpenTelemetry().WithMetrics(m => m.AddMeter(AppMeter)));
        var meter = server.Services.GetRequiredService<IMeterFactory>().Create(AppMeter);
        meter.CreateCounter<long>("app.widgets", "{widget}").Add(3);

        var samples = Parse(await server.Http.GetStringAsync("/metrics"));
        Value(samples, "app_widgets_total").ShouldBe(3);
        Value(samples, "herald_connections_active", ("transport", "websocket")).ShouldBe(0);
    }

    private async Task<WsClient> ReceiveOnePublicationAsync()
    {
        var client = await _server.ConnectUserAsync("u_1", "acme");
        await client.SubscribeAsync(Channel);
        using var published = await _server.PublishAsync(Channel, "x.y", new { a = 1 });
        published.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.ReceiveAsync()).Type().ShouldBe("x.y");
        return client;
    }

    /// <summary>A second user connects and is disconnected through the API (code 3504); waits until its connection closed.</summary>
    private async Task DisconnectAnotherUserAsync()
    {
        await using var leaving = await _server.ConnectUserAsync("u_2", "acme");
        (await _server.SendAsync(HttpMethod.Post, "/api/users/u_2/disconnect", apiKey: TestServer.AdminKey)).Status.ShouldBe(HttpStatusCode.OK);
        await TestServer.EventuallyAsync(async () => (await _server.GetJsonAsync("/api/stats")).GetProperty("connections").GetInt64() == 1, "the disconnected connection to close");
    }

    /// <summary>The Herald instruments of one server and what a <see cref="MeterListener"/> reads from them.</summary>
    private static (List<string> Instruments, List<(string Instrument, Dictionary<string, string> Tags, double Value)> Measured) Measure(IMeterFactory factory)
    {
        var instruments = new List<string>();
        var measured = new List<(string, Dictionary<string, string>, double)>();
        using var listener = new MeterListener
        {
            // Meters are process-wide: the factory tells this server's instruments from other tests' servers.
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Herald" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    instruments.Add(instrument.Name);
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                map[tag.Key] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture)!;
            }
            measured.Add((instrument.Name, map, value));
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        listener.RecordObservableInstruments();
        return (instruments, measured);
    }

    /// <summary>The instrument table of docs/metrics.md: name and Prometheus name.</summary>
    private static IEnumerable<(string Name, string Prometheus)> Documented()
    {
        var rows = File.ReadAllLines(Path.Combine(Repository.Root, "docs", "metrics.md"))
            .Select(l => TableRow().Match(l))
            .Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value))
            .ToList();
        rows.Count.ShouldBeGreaterThan(10);
        return rows;
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    /// <summary>Samples of the Prometheus text format, without the exporter's scope labels.</summary>
    private static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var match = SampleLine().Match(line);
            match.Success.ShouldBeTrue(line);
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(match.Groups[2].Value))
            {
                if (!label.Groups[1].Value.StartsWith("otel_scope_", StringComparison.Ordinal))
                {
                    labels[label.Groups[1].Value] = label.Groups[2].Value;
                }
            }
            samples.Add(new Sample(match.Groups[1].Value, labels, double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture)));
        }
        return samples;
    }

    private static double Value(List<Sample> samples, string name, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && SameLabels(s.Labels, labels.ToDictionary(l => l.Key, l => l.Value)))
            .ShouldHaveSingleItem($"{name} {string.Join(",", labels)}").Value;

    private static bool SameLabels(Dictionary<string, string> a, Dictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    [GeneratedRegex(@"^\| `(herald\.[a-z_.]+)` \|.*\| `([a-z_]+)` \|\s*$")]
    private static partial Regex TableRow();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
