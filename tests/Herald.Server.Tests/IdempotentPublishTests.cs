using System.Net;
using System.Net.Http.Json;

namespace Herald.Server.Tests;

/// <summary>A publish that carries an idempotency key, sent twice over each way in: published once, both answers the same.</summary>
public sealed class IdempotentPublishTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Namespaces:chat:AllowPublish"] = "true",
            ["Herald:Namespaces:chat:Scope"] = "Org",
            ["Herald:Namespaces:chat:HistorySize"] = "100",
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<int> HistoryCountAsync(string channel) =>
        (await _server.GetJsonAsync($"/api/history?channel={Uri.EscapeDataString(channel)}&limit=100")).GetProperty("publications").GetArrayLength();

    [Fact]
    public async Task WebSocketPublish_SentAgainWithTheSameKey_IsPublishedOnce()
    {
        await using var publisher = await _server.ConnectUserAsync("u_1", "acme");
        await using var reader = await _server.ConnectUserAsync("u_2", "acme");
        await reader.SubscribeAsync("chat:acme");

        var first = await publisher.RequestAsync("publish", "chat:acme", new { @event = "chat.message", data = new { text = "hi" }, idempotencyKey = "m-1" });
        // The resend of a client whose connection dropped before the answer came: a new connection, the same key.
        await using var again = await _server.ConnectUserAsync("u_1", "acme");
        var second = await again.RequestAsync("publish", "chat:acme", new { @event = "chat.message", data = new { text = "hi" }, idempotencyKey = "m-1" });
        var other = await again.RequestAsync("publish", "chat:acme", new { @event = "chat.message", data = new { text = "next" }, idempotencyKey = "m-2" });

        first.Type().ShouldBe("published", first.GetRawText());
        second.Type().ShouldBe("published", second.GetRawText());
        second.GetProperty("data").GetRawText().ShouldBe(first.GetProperty("data").GetRawText());
        other.GetProperty("data").GetProperty("offset").GetInt64().ShouldBe(2);
        (await reader.ReceiveAsync()).GetProperty("data").Str("text").ShouldBe("hi");
        (await reader.ReceiveAsync()).GetProperty("data").Str("text").ShouldBe("next");
        (await HistoryCountAsync("chat:acme")).ShouldBe(2);
    }

    [Fact]
    public async Task WebSocketPublish_WithAnEmptyKey_IsRefused()
    {
        await using var publisher = await _server.ConnectUserAsync("u_1", "acme");
        var answer = await publisher.RequestAsync("publish", "chat:acme", new { @event = "chat.message", data = new { }, idempotencyKey = "" });
        answer.Type().ShouldBe("error");
        answer.Code().ShouldBe(107);
        answer.Str("message").ShouldContain("'idempotencyKey'");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HttpPublish_RetriedWithTheSameKey_AnswersTheFirstPublication(bool header)
    {
        var channel = $"chat:acme{(header ? "h" : "b")}";
        async Task<(HttpStatusCode, string)> PublishAsync(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish");
            request.Headers.Add("X-API-Key", TestServer.PublishKey);
            if (header)
            {
                request.Headers.Add("Idempotency-Key", key);
                request.Content = JsonContent.Create(new { channel, type = "status", data = new { n = 1 } });
            }
            else
            {
                request.Content = JsonContent.Create(new { channel, type = "status", data = new { n = 1 }, idempotencyKey = key });
            }
            using var response = await _server.Http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status1, body1) = await PublishAsync("retry-1");
        var (status2, body2) = await PublishAsync("retry-1");
        var (status3, body3) = await PublishAsync("retry-2");

        status1.ShouldBe(HttpStatusCode.OK, body1);
        status2.ShouldBe(HttpStatusCode.OK, body2);
        body2.ShouldBe(body1);
        status3.ShouldBe(HttpStatusCode.OK, body3);
        body3.ShouldNotBe(body1);
        (await HistoryCountAsync(channel)).ShouldBe(2);
    }
}
