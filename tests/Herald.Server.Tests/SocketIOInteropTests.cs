using System.Diagnostics;
using Xunit.Abstractions;

namespace Herald.Server.Tests;

/// <summary>
/// Socket.IO interoperability: the official socket.io-client npm package, unchanged, against the real server —
/// WebSocket only, polling only, polling with upgrade, acks, publications made over HTTP, binary
/// round trip, reconnect with recovery, connect_error for a bad token, an error ack for another
/// organisation's channel, presence, fifty clients (tests/socketio-interop/interop.test.mjs); services
/// that connect with an API key (service-keys.test.mjs).
/// </summary>
public sealed class SocketIOInteropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OfficialSocketIOClient_PassesEveryInteropScenario()
    {
        await using var server = await TestServer.StartAsync();
        var text = await RunSuiteAsync("interop.test.mjs", new()
        {
            ["HERALD_URL"] = server.BaseUri.ToString().TrimEnd('/'),
            ["HERALD_JWT_SECRET"] = TestTokens.Secret,
            ["HERALD_API_KEY"] = TestServer.PublishKey,
        });
        text.ShouldContain("fifty clients at once");
    }

    /// <summary>Services with API keys (service-keys.test.mjs): auth.apiKey and X-API-Key, a key without the scope, an org-bound key.</summary>
    [Fact]
    public async Task OfficialSocketIOClient_ConnectsAsAServiceWithAnApiKey()
    {
        await using var server = await TestServer.StartAsync(ServiceConnectionTests.Keys);
        var text = await RunSuiteAsync("service-keys.test.mjs", new()
        {
            ["HERALD_URL"] = server.BaseUri.ToString().TrimEnd('/'),
            ["HERALD_API_KEY"] = TestServer.PublishKey,
            ["HERALD_SUBSCRIBE_KEY"] = ServiceConnectionTests.SubscribeKey,
            ["HERALD_ORG_KEY"] = ServiceConnectionTests.AcmeKey,
        });
        text.ShouldContain("presence shows the key's name as the user");
    }

    /// <summary>Runs one node:test file of tests/socketio-interop; fails with its output unless every test passed.</summary>
    private async Task<string> RunSuiteAsync(string file, Dictionary<string, string> environment)
    {
        var directory = Path.Combine(Repository.Root, "tests", "socketio-interop");
        Directory.Exists(Path.Combine(directory, "node_modules", "socket.io-client"))
            .ShouldBeTrue("socket.io-client is not installed: run `npm ci` in tests/socketio-interop (bash scripts/test.sh does)");
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--test", "--test-concurrency=1", "--test-reporter=spec", file })
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in 3 minutes");
        }
        var text = await stdout + await stderr;
        output.WriteLine(text);
        process.ExitCode.ShouldBe(0, text);
        return text;
    }
}
