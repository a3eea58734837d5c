using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Herald.Server.Tests;

/// <summary>
/// The standalone server exports metrics and traces over OTLP (HTTP and protobuf) when an
/// endpoint is configured. The collector end is a small HTTP receiver in the test that keeps what
/// it is sent; protobuf keeps strings as UTF-8, so names can be looked for in the bytes.
/// </summary>
public sealed class OtlpTests
{
    [Fact]
    public async Task WithAnOtlpEndpoint_MetricsAndTracesReachTheCollector_WithHeraldSpans()
    {
        var received = new ConcurrentQueue<(string Path, string ContentType, byte[] Body)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path, context.Request.ContentType ?? "", body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync().WaitAsync(TestServer.Timeout);
        var endpoint = collector.Urls.Single();

        await using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["Herald__Auth__JwtSecret"] = TestTokens.Secret,
            ["Herald__Auth__ApiKeys__0__Name"] = "publisher",
            ["Herald__Auth__ApiKeys__0__Key"] = TestServer.PublishKey,
            ["Herald__Auth__ApiKeys__0__Scopes__0"] = "publish",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        var baseUri = await server.WaitListeningAsync();
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TestServer.Timeout };
        await using (var client = await WsClient.ConnectUserAsync(baseUri))
        {
            await client.SubscribeAsync("org:acme");
            using var publish = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = System.Net.Http.Json.JsonContent.Create(new { channel = "org:acme", type = "traced.event", data = new { } }) };
            publish.Headers.Add("X-API-Key", TestServer.PublishKey);
            (await http.SendAsync(publish)).StatusCode.ShouldBe(HttpStatusCode.OK);
            await client.ReceiveAsync();
        }

        bool Has(string path, string text) => received.Any(r => r.Path == path && Encoding.UTF8.GetString(r.Body).Contains(text, StringComparison.Ordinal));
        await TestServer.EventuallyAsync(() => Task.FromResult(Has("/v1/traces", "herald.publish") && Has("/v1/traces", "herald.request")), "Herald's spans at the collector");
        await TestServer.EventuallyAsync(() => Task.FromResult(Has("/v1/metrics", "herald.publications")), "Herald's metrics at the collector");
        received.ShouldAllBe(r => r.ContentType == "application/x-protobuf");
        Has("/v1/traces", "traced.event").ShouldBeTrue("the span names the publication type");
        Has("/v1/traces", "POST /api/publish").ShouldBeTrue("the HTTP request is the publish span's parent");
    }
}
