namespace Herald.Cli.Tests;

/// <summary><c>herald apikey</c>: the printed entry, once configured, is a key the server accepts with its scopes.</summary>
public sealed class ApiKeyCommandTests
{
    [Fact]
    public async Task ApiKey_JsonEntry_ConfiguredOnTheServer_ConnectsAsAServiceBoundToItsOrganisation()
    {
        var result = await HeraldProcess.RunAsync("apikey", "--name", "indexer", "--scope", "subscribe", "--scope", "publish", "--org", "acme", "--format", "json");

        result.ExitCode.ShouldBe(0, result.ToString());
        var entry = result.Json;
        entry.Str("Name").ShouldBe("indexer");
        entry.GetProperty("Scopes").EnumerateArray().Select(s => s.GetString()).ShouldBe(["subscribe", "publish"]);
        entry.Str("Org").ShouldBe("acme");
        var key = entry.Str("Key");
        key.ShouldStartWith("hk_");
        key.Length.ShouldBeGreaterThanOrEqualTo(32);

        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Auth:ApiKeys:3:Name"] = entry.Str("Name"),
            ["Herald:Auth:ApiKeys:3:Key"] = key,
            ["Herald:Auth:ApiKeys:3:Scopes:0"] = "subscribe",
            ["Herald:Auth:ApiKeys:3:Scopes:1"] = "publish",
            ["Herald:Auth:ApiKeys:3:Org"] = "acme",
        });
        await using var client = await server.ConnectAsync(apiKey: key);
        var connected = await client.ReceiveAsync();
        connected.GetProperty("data").Str("user").ShouldBe("indexer");
        connected.GetProperty("data").Str("org").ShouldBe("acme");
        (await client.SubscribeAsync("org:globex")).Code().ShouldBe(103);
        (await server.PublishAsync("org:acme", "x.y", new { }, apiKey: key)).IsSuccessStatusCode.ShouldBeTrue();
    }

    [Fact]
    public async Task ApiKey_EnvFormat_PrintsTheVariablesAtTheGivenIndex()
    {
        var result = await HeraldProcess.RunAsync("apikey", "--name", "backend", "--scope", "publish,operations", "--index", "2", "--format", "env");

        result.ExitCode.ShouldBe(0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Length.ShouldBe(4);
        lines[0].ShouldBe("Herald__Auth__ApiKeys__2__Name=backend");
        lines[1].ShouldStartWith("Herald__Auth__ApiKeys__2__Key=hk_");
        lines[2].ShouldBe("Herald__Auth__ApiKeys__2__Scopes__0=publish");
        lines[3].ShouldBe("Herald__Auth__ApiKeys__2__Scopes__1=operations");
    }

    [Fact]
    public async Task ApiKey_Text_ShowsTheKeyTheEntryAndTheVariables_AndEveryRunMakesANewKey()
    {
        var first = await HeraldProcess.RunAsync("apikey", "--name", "ops", "--scope", "admin");
        var second = await HeraldProcess.RunAsync("apikey", "--name", "ops", "--scope", "admin", "--format", "json");

        first.ExitCode.ShouldBe(0, first.ToString());
        first.Stdout.ShouldContain("Herald:Auth:ApiKeys");
        first.Stdout.ShouldContain("Herald__Auth__ApiKeys__0__Scopes__0=admin");
        first.Stdout.ShouldContain("\"Scopes\":[\"admin\"]");
        first.Stdout.ShouldNotContain(second.Json.Str("Key"));
    }

    [Theory]
    [InlineData(new[] { "--name", "x", "--scope", "write" }, "'write' is not a scope")]
    [InlineData(new[] { "--name", "x", "--scope", "subscribe", "--org", "ac/me" }, "not an organisation id")]
    [InlineData(new[] { "--name", "x", "--scope", "admin", "--format", "yaml" }, "yaml")]
    public async Task ApiKey_BadInput_IsAUsageError(string[] args, string message)
    {
        var result = await HeraldProcess.RunAsync(["apikey", .. args]);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain(message);
    }
}
