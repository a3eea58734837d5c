using Herald.Core.Auth;
using Herald.Core.Tests.Infrastructure;
using Herald.Messages;

namespace Herald.Core.Tests;

/// <summary>What the heartbeat does when a connection's token expires: warn once, then close with 3005 after the grace; at once where no refresh is possible.</summary>
public sealed class ClientExpiryTests
{
    private static readonly long Second = TimeSpan.TicksPerSecond;

    private static void Tick(Client client, FakeTimeProvider time) =>
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 3600 * Second, 3600 * Second, 10 * Second, 15 * Second);

    [Fact]
    public async Task ExpiredToken_IsWarnedOnce_ThenClosedWith3005WhenTheGraceIsOver()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Open();
        var warnings = new List<int>();
        client.TokenExpired = warnings.Add;
        client.Authenticate(new HeraldPrincipal("u_1", "acme", null, time.GetUtcNow().AddSeconds(60))).ShouldBeNull();

        time.Advance(TimeSpan.FromSeconds(59));
        Tick(client, time);
        warnings.ShouldBeEmpty();
        time.Advance(TimeSpan.FromSeconds(1));
        Tick(client, time);
        time.Advance(TimeSpan.FromSeconds(10));
        Tick(client, time);

        warnings.ShouldBe([AuthOptions.DefaultExpiryGraceSeconds]);
        client.DisconnectCode.ShouldBeNull();
        time.Advance(TimeSpan.FromSeconds(AuthOptions.DefaultExpiryGraceSeconds - 10));
        Tick(client, time);
        client.DisconnectCode.ShouldBe(DisconnectCode.TokenExpired);
        ((int)client.DisconnectCode!.Value).ShouldBe(3005);
    }

    [Fact]
    public async Task ExpiredToken_RefreshedWithinTheGrace_KeepsTheConnection_AndTheNewTokenIsWarnedInItsTurn()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Open();
        var warnings = new List<int>();
        client.TokenExpired = warnings.Add;
        client.Authenticate(new HeraldPrincipal("u_1", "acme", null, time.GetUtcNow().AddSeconds(60))).ShouldBeNull();
        time.Advance(TimeSpan.FromSeconds(61));
        Tick(client, time);

        client.Refresh(new HeraldPrincipal("u_1", "acme", null, time.GetUtcNow().AddSeconds(120))).ShouldBeNull();
        time.Advance(TimeSpan.FromSeconds(60));
        Tick(client, time);
        client.DisconnectCode.ShouldBeNull();
        time.Advance(TimeSpan.FromSeconds(60));
        Tick(client, time);

        warnings.Count.ShouldBe(2);
        client.DisconnectCode.ShouldBeNull();
    }

    [Fact]
    public async Task ExpiredToken_OnATransportThatCannotRefresh_IsClosedAtExpiry()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Open();
        client.Authenticate(new HeraldPrincipal("u_1", "acme", null, time.GetUtcNow().AddSeconds(60))).ShouldBeNull();

        time.Advance(TimeSpan.FromSeconds(60));
        Tick(client, time);

        client.DisconnectCode.ShouldBe(DisconnectCode.TokenExpired);
    }

    [Fact]
    public async Task TokenWithoutExp_NeverExpires()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Open();
        client.Authenticate(new HeraldPrincipal("u_1", "acme")).ShouldBeNull();

        time.Advance(TimeSpan.FromDays(400));
        Tick(client, time);

        client.DisconnectCode.ShouldBeNull();
    }
}
