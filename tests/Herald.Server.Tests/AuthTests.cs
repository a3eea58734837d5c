using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Herald.Server.Tests;

public sealed class AuthTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task ShouldBeRefused(string token, int errorCode, int closeCode)
    {
        await using var client = await _server.ConnectAsync(token);
        var error = await client.ReceiveAsync();
        error.Type().ShouldBe("error");
        error.Code().ShouldBe(errorCode);
        var disconnect = await client.ReceiveAsync();
        disconnect.Type().ShouldBe("disconnect");
        disconnect.Code().ShouldBe(closeCode);
        var (status, _) = await client.WaitForCloseAsync();
        ((int?)status).ShouldBe(closeCode);
    }

    [Fact]
    public Task ExpiredToken_IsRefusedWithTokenExpired() => ShouldBeRefused(TestTokens.Expired("u_1", "acme"), 109, 3005);

    [Fact]
    public Task AlgNone_IsRefused() => ShouldBeRefused(TestTokens.AlgNone("u_1", "acme"), 101, 3500);

    [Fact]
    public Task WrongSecret_IsRefused() => ShouldBeRefused(TestTokens.Hs256("u_1", "acme", secret: "another-secret-0123456789-abcdefghijkl"), 101, 3500);

    [Fact]
    public Task Hs512_IsRefused() =>
        ShouldBeRefused(TestTokens.Raw(new { alg = "HS512", typ = "JWT" }, new { sub = "u_1", org = "acme" }, TestTokens.Secret), 101, 3500);

    [Fact]
    public Task TokenWithoutOrg_IsRefused() =>
        ShouldBeRefused(TestTokens.Raw(new { alg = "HS256", typ = "JWT" }, new { sub = "u_1" }, TestTokens.Secret), 101, 3500);

    [Fact]
    public Task Garbage_IsRefused() => ShouldBeRefused("not-a-token", 101, 3500);

    [Fact]
    public async Task BadTokenInConnectFrame_AnswersErrorWithRequestId_ThenDisconnects()
    {
        await using var client = await _server.ConnectAsync();
        await client.SendJsonAsync(new { type = "connect", id = "c", token = "x.y.z" });
        var error = await client.ReceiveAsync();
        error.Type().ShouldBe("error");
        error.Str("id").ShouldBe("c");
        error.Code().ShouldBe(101);
        var (status, _) = await client.WaitForCloseAsync();
        ((int?)status).ShouldBe(3500);
    }

    [Fact]
    public async Task RequestBeforeConnect_AnswersUnauthorized_AndKeepsTheConnection()
    {
        await using var client = await _server.ConnectAsync();
        var error = await client.RequestAsync("subscribe", "org:acme");
        error.Type().ShouldBe("error");
        error.Code().ShouldBe(101);
        await client.SendJsonAsync(new { type = "connect", id = "c", token = TestTokens.Hs256("u_1", "acme") });
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
    }

    [Fact]
    public async Task SecondConnect_AnswersAlreadyConnected()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var error = await client.RequestAsync("connect", extra: new { token = TestTokens.Hs256("u_2", "acme") });
        error.Code().ShouldBe(116);
    }

    [Fact]
    public async Task Rs256Token_IsAccepted_WhenPublicKeyConfigured_AndHsRsConfusionIsRefused()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportSubjectPublicKeyInfoPem();
        var file = Path.Combine(Path.GetTempPath(), $"herald-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(file, pem);
        try
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
            {
                ["Herald:Auth:JwtSecret"] = null,
                ["Herald:Auth:JwtPublicKeyFile"] = file,
            });
            await using (var good = await server.ConnectAsync(TestTokens.Rs256(rsa, "u_1", "acme")))
            {
                (await good.ReceiveAsync()).Type().ShouldBe("connected");
            }
            // Algorithm confusion: an HS256 token whose HMAC key is the server's public key.
            var forged = TestTokens.Raw(new { alg = "HS256", typ = "JWT" }, new { sub = "u_1", org = "acme" }, Encoding.UTF8.GetBytes(pem));
            await using var bad = await server.ConnectAsync(forged);
            var error = await bad.ReceiveAsync();
            error.Code().ShouldBe(101);
            ((int?)(await bad.WaitForCloseAsync()).Status).ShouldBe(3500);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

public sealed class ScopingTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Herald:Namespaces:shared:Scope"] = "Public",
        ["Herald:Namespaces:granted:Scope"] = "Grant",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("org:acme")]
    [InlineData("workspace:acme/ws_1")]
    [InlineData("executions:acme/exec_1")]
    [InlineData("logs:acme/build_7")]
    [InlineData("user:u_1")]
    [InlineData("shared:lobby")]
    public async Task Member_MaySubscribe(string channel)
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        (await client.SubscribeAsync(channel)).Type().ShouldBe("subscribed");
    }

    [Theory]
    [InlineData("org:globex")]
    [InlineData("workspace:globex/ws_1")]
    [InlineData("org:acme2")]
    [InlineData("user:u_2")]
    [InlineData("granted:acme/x")]
    public async Task OtherOrganisationsOrUsers_AreRefusedWithPermissionDenied(string channel)
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var answer = await client.SubscribeAsync(channel);
        answer.Type().ShouldBe("error");
        answer.Code().ShouldBe(103);
        // The connection stays usable.
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
    }

    [Fact]
    public async Task UnknownNamespace_IsRefused()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var answer = await client.SubscribeAsync("secret:acme");
        answer.Code().ShouldBe(102);
    }

    [Fact]
    public async Task GrantNamespace_FollowsTheTokensChannelsClaim()
    {
        await using var client = await _server.ConnectAsync(TestTokens.Hs256("u_1", "acme", channels: ["granted:reports/*", "granted:exact"]));
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
        (await client.SubscribeAsync("granted:reports/q1")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("granted:exact")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("granted:exactly")).Code().ShouldBe(103);
    }

    [Fact]
    public async Task PublicationsOfAnotherOrganisation_NeverReachAMember()
    {
        await using var acme = await _server.ConnectUserAsync("u_1", "acme");
        await using var globex = await _server.ConnectUserAsync("u_9", "globex");
        await acme.SubscribeAsync("org:acme");
        await globex.SubscribeAsync("org:globex");
        (await _server.PublishAsync("org:globex", "secret", new { })).EnsureSuccessStatusCode();
        (await _server.PublishAsync("org:acme", "public", new { })).EnsureSuccessStatusCode();
        (await acme.ReceiveAsync()).Type().ShouldBe("public");
        (await globex.ReceiveAsync()).Type().ShouldBe("secret");
    }
}
