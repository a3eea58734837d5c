using System.Net;
using System.Net.Http.Headers;

namespace Herald.Server.Tests;

/// <summary>History and recovery: history, stream positions, recovery after a reconnect, latest state.</summary>
public sealed class HistoryTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Herald:Namespaces:task:HistorySize"] = "5",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task PublishMany(string channel, int count, int from = 0)
    {
        for (var i = from; i < from + count; i++)
        {
            (await _server.PublishAsync(channel, "n", new { i })).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task Subscribe_AnswersTheStreamPosition_AndPublicationsCarryOffsets()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var subscribed = await client.SubscribeAsync("build:acme/b1");
        subscribed.GetProperty("offset").GetInt64().ShouldBe(0);
        subscribed.GetProperty("recoverable").GetBoolean().ShouldBeTrue();
        var epoch = subscribed.Str("epoch");
        epoch.ShouldNotBeNullOrEmpty();
        await PublishMany("build:acme/b1", 3);
        for (var offset = 1; offset <= 3; offset++)
        {
            var publication = await client.ReceiveAsync();
            publication.GetProperty("offset").GetInt64().ShouldBe(offset);
            publication.Str("epoch").ShouldBe(epoch);
        }
    }

    [Fact]
    public async Task Reconnect_WithLastPosition_RecoversExactlyWhatWasMissed()
    {
        string epoch;
        await using (var first = await _server.ConnectUserAsync("u_1", "acme"))
        {
            epoch = (await first.SubscribeAsync("build:acme/b2")).Str("epoch");
            await PublishMany("build:acme/b2", 3);
            for (var i = 0; i < 3; i++)
            {
                await first.ReceiveAsync();
            }
        }
        await PublishMany("build:acme/b2", 4, from: 3);

        await using var again = await _server.ConnectUserAsync("u_1", "acme");
        var answer = await again.RequestAsync("subscribe", "build:acme/b2", new { since = new { offset = 3, epoch } });
        answer.Type().ShouldBe("subscribed");
        answer.GetProperty("recovered").GetBoolean().ShouldBeTrue();
        answer.GetProperty("offset").GetInt64().ShouldBe(7);
        answer.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()).ShouldBe([4, 5, 6, 7]);
        answer.GetProperty("publications")[0].GetProperty("data").GetProperty("i").GetInt32().ShouldBe(3);

        await PublishMany("build:acme/b2", 1, from: 7);
        (await again.ReceiveAsync()).GetProperty("offset").GetInt64().ShouldBe(8);
    }

    [Fact]
    public async Task Reconnect_AtTheTop_RecoversNothingMissing()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var epoch = (await client.SubscribeAsync("build:acme/b3")).Str("epoch");
        await client.RequestAsync("unsubscribe", "build:acme/b3");
        var answer = await client.RequestAsync("subscribe", "build:acme/b3", new { since = new { offset = 0, epoch } });
        answer.GetProperty("recovered").GetBoolean().ShouldBeTrue();
        answer.GetProperty("publications").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Reconnect_WithAForeignEpoch_IsNotRecovered()
    {
        await PublishMany("build:acme/b4", 2);
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var answer = await client.RequestAsync("subscribe", "build:acme/b4", new { since = new { offset = 1, epoch = "deadbeef" } });
        answer.Type().ShouldBe("subscribed");
        answer.GetProperty("recovered").GetBoolean().ShouldBeFalse();
        answer.GetProperty("publications").GetArrayLength().ShouldBe(0);
        answer.GetProperty("offset").GetInt64().ShouldBe(2);
    }

    [Fact]
    public async Task Reconnect_AfterMissingMoreThanHistoryHolds_IsNotRecovered()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var epoch = (await client.SubscribeAsync("task:acme/t1")).Str("epoch");
        await client.RequestAsync("unsubscribe", "task:acme/t1");
        await PublishMany("task:acme/t1", 8);
        var answer = await client.RequestAsync("subscribe", "task:acme/t1", new { since = new { offset = 0, epoch } });
        answer.GetProperty("recovered").GetBoolean().ShouldBeFalse();
        answer.GetProperty("offset").GetInt64().ShouldBe(8);
    }

    [Fact]
    public async Task Recovery_WhilePublishingGoesOn_HasNoGapAndNoDuplicate()
    {
        const int total = 150;
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var epoch = (await client.SubscribeAsync("build:acme/race")).Str("epoch");
        await client.RequestAsync("unsubscribe", "build:acme/race");
        await PublishMany("build:acme/race", 10);

        var publisher = PublishMany("build:acme/race", total - 10, from: 10);
        var answer = await client.RequestAsync("subscribe", "build:acme/race", new { since = new { offset = 0, epoch } });
        answer.GetProperty("recovered").GetBoolean().ShouldBeTrue();
        var seen = answer.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()).ToList();
        await publisher.WaitAsync(TimeSpan.FromSeconds(60));
        while (seen.Count == 0 || seen[^1] < total)
        {
            seen.Add((await client.ReceiveAsync()).GetProperty("offset").GetInt64());
        }
        seen.ShouldBe(Enumerable.Range(1, total).Select(i => (long)i));
    }

    [Fact]
    public async Task Subscribe_DeliversTheLatestStateOfEveryKeyFirst()
    {
        (await _server.PublishAsync("org:acme", "workspace.status", new { status = "CREATING" }, key: "ws_1")).EnsureSuccessStatusCode();
        (await _server.PublishAsync("org:acme", "workspace.status", new { status = "RUNNING" }, key: "ws_2")).EnsureSuccessStatusCode();
        (await _server.PublishAsync("org:acme", "workspace.status", new { status = "RUNNING" }, key: "ws_1")).EnsureSuccessStatusCode();

        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var answer = await client.SubscribeAsync("org:acme");
        var state = answer.GetProperty("state").EnumerateArray().ToList();
        state.Select(p => p.Str("key")).ShouldBe(["ws_2", "ws_1"]);
        state.ShouldAllBe(p => p.GetProperty("data").GetProperty("status").GetString() == "RUNNING");

        (await _server.PublishAsync("org:acme", "workspace.status", new { status = "STOPPED" }, key: "ws_2")).EnsureSuccessStatusCode();
        (await client.ReceiveAsync()).GetProperty("data").Str("status").ShouldBe("STOPPED");
    }

    [Fact]
    public async Task RequestHistory_PagesForward_AndGivesTheNewestWithoutSince()
    {
        await PublishMany("build:acme/h1", 25);
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var offsets = new List<long>();
        long since = 0;
        while (true)
        {
            var page = await client.RequestAsync("request_history", "build:acme/h1", new { since = new { offset = since }, limit = 10 });
            page.Type().ShouldBe("history");
            var items = page.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()).ToList();
            offsets.AddRange(items);
            if (!page.GetProperty("hasMore").GetBoolean())
            {
                break;
            }
            since = items[^1];
        }
        offsets.ShouldBe(Enumerable.Range(1, 25).Select(i => (long)i));

        var newest = await client.RequestAsync("request_history", "build:acme/h1", new { limit = 3 });
        newest.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()).ShouldBe([23, 24, 25]);
    }

    [Theory]
    [InlineData(0, 107)]
    [InlineData(5000, 107)]
    public async Task RequestHistory_LimitOutOfRange_IsABadRequest(int limit, int code)
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        (await client.RequestAsync("request_history", "build:acme/h2", new { limit })).Code().ShouldBe(code);
    }

    [Fact]
    public async Task RequestHistory_ForeignEpochOrOtherOrganisation_IsRefused()
    {
        await PublishMany("build:acme/h3", 2);
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        (await client.RequestAsync("request_history", "build:acme/h3", new { since = new { offset = 0, epoch = "nope" } })).Code().ShouldBe(112);
        (await client.RequestAsync("request_history", "build:globex/h3", new { limit = 1 })).Code().ShouldBe(103);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetHistory(string query, string? bearer = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/history?" + query);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }
        using var response = await _server.Http.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task HttpHistory_ServesUsersInScope_AndBackends()
    {
        await PublishMany("build:acme/http", 4);
        var token = TestTokens.Hs256("u_1", "acme");
        var (status, body) = await GetHistory("channel=build:acme/http&since=2", bearer: token);
        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("offset").GetInt64()).ShouldBe([3, 4]);
        body.GetProperty("offset").GetInt64().ShouldBe(4);
        var epoch = body.Str("epoch");

        (await GetHistory($"channel=build:acme/http&since=1&epoch={epoch}&limit=1", apiKey: TestServer.PublishKey)).Body
            .GetProperty("publications").EnumerateArray().Single().GetProperty("offset").GetInt64().ShouldBe(2);
    }

    [Theory]
    [InlineData("channel=build:globex/http", HttpStatusCode.Forbidden)]
    [InlineData("channel=build:acme/http&since=-1", HttpStatusCode.BadRequest)]
    [InlineData("channel=build:acme/http&since=abc", HttpStatusCode.BadRequest)]
    [InlineData("channel=build:acme/http&limit=0", HttpStatusCode.BadRequest)]
    [InlineData("channel=build:acme/http&limit=1001", HttpStatusCode.BadRequest)]
    [InlineData("channel=build:acme/http&limit=x", HttpStatusCode.BadRequest)]
    [InlineData("channel=bad%20name", HttpStatusCode.BadRequest)]
    [InlineData("since=1", HttpStatusCode.BadRequest)]
    [InlineData("channel=build:acme/http&since=0&epoch=foreign", HttpStatusCode.BadRequest)]
    public async Task HttpHistory_BadRequestsAndForeignChannels_GetProblems(string query, HttpStatusCode expected)
    {
        await PublishMany("build:acme/http", 1);
        var (status, body) = await GetHistory(query, bearer: TestTokens.Hs256("u_1", "acme"));
        status.ShouldBe(expected);
        body.Str("detail").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task HttpHistory_WithoutCredentials_Is401()
    {
        (await GetHistory("channel=build:acme/http")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await GetHistory("channel=build:acme/http", apiKey: "not-a-key-0123456789")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await GetHistory("channel=build:acme/http", bearer: TestTokens.Expired("u_1", "acme"))).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
