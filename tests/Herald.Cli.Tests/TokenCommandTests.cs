using Microsoft.IdentityModel.JsonWebTokens;

namespace Herald.Cli.Tests;

/// <summary><c>herald token</c>: tokens the real server accepts, the secret from every place it may come from.</summary>
public sealed class TokenCommandTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonElement> ConnectWith(string token)
    {
        await using var client = await _server.ConnectAsync(token);
        return await client.ReceiveAsync();
    }

    [Fact]
    public async Task Token_WithTheSecretFlag_IsAcceptedByTheServer()
    {
        var result = await HeraldProcess.RunAsync("token", "--sub", "u_1", "--org", "acme", "--secret", TestTokens.Secret);

        result.ExitCode.ShouldBe(0, result.ToString());
        var token = result.Stdout.Trim();
        token.Split('.').Length.ShouldBe(3);
        var connected = await ConnectWith(token);
        connected.Type().ShouldBe("connected");
        connected.GetProperty("data").Str("user").ShouldBe("u_1");
        connected.GetProperty("data").Str("org").ShouldBe("acme");
    }

    [Fact]
    public async Task Token_LifetimeAndChannels_BecomeItsClaims()
    {
        var result = await HeraldProcess.RunAsync(["token", "--sub", "u_1", "--org", "acme", "--lifetime", "90s", "--channels", "reports:acme/*,docs:x", "--channels", "y:z", "--json"],
            new Dictionary<string, string> { ["HERALD_JWT_SECRET"] = TestTokens.Secret });

        result.ExitCode.ShouldBe(0, result.ToString());
        var json = result.Json;
        var jwt = new JsonWebToken(json.Str("token"));
        jwt.GetPayloadValue<string>("sub").ShouldBe("u_1");
        jwt.ValidTo.ShouldBeInRange(DateTime.UtcNow.AddSeconds(30), DateTime.UtcNow.AddSeconds(100));
        jwt.GetPayloadValue<List<string>>("channels").ShouldBe(["reports:acme/*", "docs:x", "y:z"]);
        json.GetProperty("channels").GetArrayLength().ShouldBe(3);
        (await ConnectWith(json.Str("token"))).GetProperty("data").GetProperty("expires").GetInt64().ShouldBeInRange(1, 90);
    }

    [Fact]
    public async Task Token_LifetimeNone_HasNoExpiry()
    {
        var result = await HeraldProcess.RunAsync("token", "--sub", "u_1", "--org", "acme", "--lifetime", "none", "--secret", TestTokens.Secret);

        new JsonWebToken(result.Stdout.Trim()).TryGetPayloadValue<long>("exp", out _).ShouldBeFalse();
        (await ConnectWith(result.Stdout.Trim())).GetProperty("data").TryGetProperty("expires", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Token_SecretFromTheServersSettingsFile()
    {
        var file = Path.Combine(HeraldProcess.NewHome(), "appsettings.json");
        await File.WriteAllTextAsync(file, "{\"Herald\":{\"Auth\":{\"JwtSecret\":\"" + TestTokens.Secret + "\"}}}");

        var result = await HeraldProcess.RunAsync("token", "--sub", "u_2", "--org", "acme", "--config", file);

        result.ExitCode.ShouldBe(0, result.ToString());
        (await ConnectWith(result.Stdout.Trim())).Type().ShouldBe("connected");
    }

    [Fact]
    public async Task Token_SecretFromTheProfile()
    {
        var profile = Path.Combine(HeraldProcess.NewHome(), "p.json");
        await File.WriteAllTextAsync(profile, $$"""{"jwtSecret":"{{TestTokens.Secret}}"}""");

        var result = await HeraldProcess.RunAsync("token", "--sub", "u_3", "--org", "acme", "--profile", profile);

        result.ExitCode.ShouldBe(0, result.ToString());
        (await ConnectWith(result.Stdout.Trim())).Type().ShouldBe("connected");
    }

    [Theory]
    [InlineData(new[] { "--sub", "u", "--org", "acme" }, "no JWT secret")]
    [InlineData(new[] { "--sub", "u", "--org", "acme", "--secret", "short" }, "at least 32 bytes")]
    [InlineData(new[] { "--sub", "u", "--org", "acme", "--secret", TestTokens.Secret, "--lifetime", "soon" }, "'soon' is not a duration")]
    public async Task Token_BadInput_IsAUsageError(string[] args, string message)
    {
        var result = await HeraldProcess.RunAsync(["token", .. args]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain(message);
        result.Stdout.ShouldBeEmpty();
    }
}
