using System.Net;

namespace Herald.Cli.Tests;

/// <summary><c>herald serve</c>: the standalone server with its own options and exit codes.</summary>
public sealed class ServeCommandTests
{
    [Fact]
    public async Task Serve_RunsTheServerWithItsOptions_AndStopsCleanlyOnSigterm()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}";
        await using var serve = HeraldProcess.Start(["serve", "--urls", url, "--Herald:Storage:Provider", "Memory", $"--Herald:Auth:JwtSecret={TestTokens.Secret}"]);
        // No API keys configured: the server's development credentials, from the server's own code,
        // printed before or after the listening line.
        const string keyLine = "API key (X-API-Key, scope admin) = ";
        string? key = null;
        await serve.WaitForLineAsync(line =>
        {
            if (line.Contains(keyLine, StringComparison.Ordinal))
            {
                key = line.Split(" = ")[1].Trim();
            }
            return line.Contains("Now listening on: " + url, StringComparison.Ordinal);
        });
        key ??= (await serve.WaitForLineAsync(line => line.Contains(keyLine, StringComparison.Ordinal))).Split(" = ")[1].Trim();

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TestServer.Timeout };
        (await http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var stats = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        stats.Headers.Add("X-API-Key", key);
        (await http.SendAsync(stats)).StatusCode.ShouldBe(HttpStatusCode.OK);

        serve.Terminate();
        var result = await serve.WaitForExitAsync();
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("Application is shutting down");
    }

    [Fact]
    public async Task Serve_GlobalUrl_IsTheServersListeningAddress()
    {
        var url = $"http://127.0.0.1:{Ports.Free()}";
        await using var serve = HeraldProcess.Start(["serve", "--url", url, "--Herald:Storage:Provider=Memory"]);

        await serve.WaitForLineAsync(line => line.Contains("Now listening on: " + url, StringComparison.Ordinal));
        serve.Interrupt();
        (await serve.WaitForExitAsync()).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Serve_InvalidConfiguration_ExitsWith2_NamingTheSetting()
    {
        var result = await HeraldProcess.RunAsync("serve", "--Herald:Storage:Provider=Memory", "--Herald:Limits:MaxFrameBytes=10");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("Herald cannot start: the configuration is invalid.");
        result.Stderr.ShouldContain("Herald:Limits:MaxFrameBytes must be between 1024 and 16777216 (was 10).");
    }
}
