using System.Diagnostics;
using Xunit.Abstractions;

namespace Herald.Server.Tests;

/// <summary>
/// Socket.IO interoperability: the official socket.io-client npm package, unchanged, against the real server —
/// WebSocket only, polling only, polling with upgrade, acks, publications made over HTTP, binary
/// round trip, reconnect with recovery, connect_error for a bad token, an error ack for another
/// organisation's channel, presence, fifty clients (tests/socketio-interop/interop.test.mjs).
/// </summary>
public sealed class SocketIOInteropTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OfficialSocketIOClient_PassesEveryInteropScenario()
    {
        var directory = Path.Combine(Repository.Root, "tests", "socketio-interop");
        Directory.Exists(Path.Combine(directory, "node_modules", "socket.io-client"))
            .ShouldBeTrue("socket.io-client is not installed: run `npm ci` in tests/socketio-interop (bash scripts/test.sh does)");
        await using var server = await TestServer.StartAsync();

        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--test", "--test-concurrency=1", "--test-reporter=spec", "interop.test.mjs" })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["HERALD_URL"] = server.BaseUri.ToString().TrimEnd('/');
        info.Environment["HERALD_JWT_SECRET"] = TestTokens.Secret;
        info.Environment["HERALD_API_KEY"] = TestServer.PublishKey;
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
            throw new TimeoutException("the interop suite did not finish in 3 minutes");
        }
        var text = await stdout + await stderr;
        output.WriteLine(text);
        process.ExitCode.ShouldBe(0, text);
        text.ShouldContain("fifty clients at once");
    }
}
