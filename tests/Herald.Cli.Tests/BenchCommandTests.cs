using System.Reflection;

namespace Herald.Cli.Tests;

/// <summary><c>herald bench</c>: the load generator itself, run as a process against a server.</summary>
public sealed class BenchCommandTests
{
    /// <summary>The generator built beside the tests (a project reference), so the run needs no build of its own.</summary>
    private static readonly string LoadGenerator = Path.Combine(Repository.Root, "benchmarks", "Herald.LoadGenerator", "bin",
        typeof(BenchCommandTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, "net10.0", "Herald.LoadGenerator.dll");

    [Fact]
    public async Task Bench_Connect_AgainstARunningServer_RunsTheScenario_AndReportsIt()
    {
        File.Exists(LoadGenerator).ShouldBeTrue(LoadGenerator);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Limits:MaxConnectionsPerUser"] = "1000" });
        var output = Path.Combine(HeraldProcess.NewHome(), "results");

        var result = await HeraldProcess.RunAsync(
            ["bench", "connect", "--url", server.BaseUri.ToString(), "--api-key", TestServer.AdminKey, "--repo", Repository.Root,
             "--connections", "20", "--concurrency", "4", "--warmup-connections", "4", "--source-addresses", "1", "--quiet-max-wait", "0", "--out", output],
            new Dictionary<string, string> { ["HERALD_LOADGEN"] = LoadGenerator, ["HERALD_JWT_SECRET"] = TestTokens.Secret },
            timeout: TimeSpan.FromMinutes(3));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("20 handshakes");
        Directory.GetFiles(output, "connect-*.json").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Bench_UnknownScenario_IsAUsageError_ListingTheScenarios()
    {
        var result = await HeraldProcess.RunAsync("bench", "warp");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("fanout");
    }

    [Fact]
    public async Task Bench_OutsideASourceTree_IsAUsageError()
    {
        var result = await HeraldProcess.RunAsync("bench", "machine", "--repo", HeraldProcess.NewHome());

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("is not a Herald source tree");
    }
}
