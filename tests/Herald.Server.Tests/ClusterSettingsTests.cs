using System.Net;
using Herald.Core;
using Herald.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests;

/// <summary>The cluster settings and the HTTP answers that speak for the whole cluster, on one server.</summary>
public sealed class ClusterSettingsTests
{
    [Theory]
    [InlineData("Herald:NodeName", "edge node", "Herald:NodeName must be 1-64 characters")]
    [InlineData("Herald:Cluster:HeartbeatIntervalSeconds", "0", "Herald:Cluster:HeartbeatIntervalSeconds must be greater than 0")]
    [InlineData("Herald:Cluster:NodeTimeoutSeconds", "3", "Herald:Cluster:NodeTimeoutSeconds must be more than twice Herald:Cluster:HeartbeatIntervalSeconds")]
    public async Task Server_AWrongClusterSetting_StopsTheStartNamingIt(string key, string value, string message)
    {
        var error = await Should.ThrowAsync<OptionsValidationException>(() => TestServer.StartAsync(new Dictionary<string, string?> { [key] = value }));
        error.Failures.ShouldContain(f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stats_ListsEveryNode_AndTheTotals_BesideThisNodesCounters()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:NodeName"] = "edge-1" });
        await using var client = await server.ConnectUserAsync("u_1", "acme");

        var stats = await server.GetJsonAsync("/api/stats");

        stats.GetProperty("node").GetString().ShouldBe("edge-1");
        stats.GetProperty("connections").GetInt64().ShouldBe(1);
        var node = stats.GetProperty("nodes").EnumerateArray().ShouldHaveSingleItem();
        node.GetProperty("node").GetString().ShouldBe("edge-1");
        node.GetProperty("connections").GetInt64().ShouldBe(1);
        node.GetProperty("version").GetString().ShouldNotBeNullOrEmpty();
        node.GetProperty("startedAt").GetDateTimeOffset().ShouldBeLessThanOrEqualTo(node.GetProperty("lastSeen").GetDateTimeOffset());
        var totals = stats.GetProperty("totals");
        totals.GetProperty("nodes").GetInt32().ShouldBe(1);
        totals.GetProperty("connections").GetInt64().ShouldBe(1);
        totals.GetProperty("users").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task DisconnectUser_AnswersWithThisNodesCountAndName()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:NodeName"] = "edge-1" });
        await using var client = await server.ConnectUserAsync("u_1", "acme");

        var (status, body) = await server.SendAsync(HttpMethod.Post, "/api/users/u_1/disconnect", apiKey: TestServer.AdminKey);

        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("user").GetString().ShouldBe("u_1");
        body.GetProperty("disconnected").GetInt32().ShouldBe(1);
        body.GetProperty("node").GetString().ShouldBe("edge-1");
        server.Services.GetRequiredService<Node>().Name.ShouldBe("edge-1");
    }
}
