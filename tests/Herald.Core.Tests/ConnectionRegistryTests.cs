using Herald.Core.Auth;
using Herald.Core.Tests.Infrastructure;
using Herald.Messages;

namespace Herald.Core.Tests;

public sealed class ConnectionRegistryTests
{
    [Fact]
    public async Task Authenticate_PastConnectionsPerUser_ReturnsConnectionLimit()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxConnectionsPerUser = 2);
        node.Connect("u_1");
        node.Connect("u_1");
        var third = node.Open();

        var code = third.Authenticate(new HeraldPrincipal("u_1", "acme"));

        code.ShouldBe(DisconnectCode.ConnectionLimit);
        ((int)code!.Value).ShouldBe(3503);
        third.Principal.ShouldBeNull();
        node.Connections.ForUser("u_1").Length.ShouldBe(2);
        node.Connections.ForUser("u_1").ShouldNotContain(third);
    }

    [Fact]
    public async Task Authenticate_LimitIsPerUser()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxConnectionsPerUser = 1);
        node.Connect("u_1");

        node.Open().Authenticate(new HeraldPrincipal("u_2", "acme")).ShouldBeNull();
        node.Open().Authenticate(new HeraldPrincipal("u_1", "globex")).ShouldBe(DisconnectCode.ConnectionLimit);
    }

    [Fact]
    public async Task Authenticate_AfterAConnectionCloses_HasRoomAgain()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxConnectionsPerUser = 1);
        var first = node.Connect("u_1");
        node.Open().Authenticate(new HeraldPrincipal("u_1", "acme")).ShouldBe(DisconnectCode.ConnectionLimit);

        first.Close();

        node.Open().Authenticate(new HeraldPrincipal("u_1", "acme")).ShouldBeNull();
    }

    [Fact]
    public async Task Counts_ConnectionsAndDistinctUsers()
    {
        await using var node = await TestNode.StartAsync();
        var a = node.Connect("u_1");
        node.Connect("u_1");
        node.Connect("u_2");
        node.Open();

        node.Connections.Count.ShouldBe(4);
        node.Connections.UserCount.ShouldBe(2);
        node.Connections.ForUser("u_1").Length.ShouldBe(2);
        node.Connections.ForUser("u_1").ShouldContain(a);
        node.Connections.ForUser("nobody").ShouldBeEmpty();
        node.Connections.Clients.Count.ShouldBe(4);
    }

    [Fact]
    public async Task Close_LastConnectionOfAUser_RemovesTheUser()
    {
        await using var node = await TestNode.StartAsync();
        var a = node.Connect("u_1");
        var b = node.Connect("u_1");

        a.Close();
        node.Connections.UserCount.ShouldBe(1);
        b.Close();

        node.Connections.UserCount.ShouldBe(0);
        node.Connections.Count.ShouldBe(0);
    }

    [Fact]
    public async Task Close_UnauthenticatedConnection_RemovesIt()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Open();

        client.Close();
        client.Close();

        node.Connections.Count.ShouldBe(0);
    }

    [Fact]
    public async Task TryAddUser_ConcurrentConnectionsOfOneUser_NeverExceedTheLimit()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxConnectionsPerUser = 10);
        var clients = Enumerable.Range(0, 100).Select(_ => node.Open()).ToArray();

        var results = await Task.WhenAll(clients.Select(c => Task.Run(() => c.Authenticate(new HeraldPrincipal("u_1", "acme"))))).WaitAsync(TestNode.Timeout);

        results.Count(r => r is null).ShouldBe(10);
        node.Connections.ForUser("u_1").Length.ShouldBe(10);
    }
}
