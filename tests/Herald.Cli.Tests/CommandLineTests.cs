namespace Herald.Cli.Tests;

/// <summary>The command skeleton: help on every verb, usage errors with their exit code.</summary>
public sealed class CommandLineTests
{
    public static readonly TheoryData<string> Verbs = new(["serve", "publish", "tail", "history", "presence", "stats", "token", "apikey", "ops", "notify", "bench"]);

    [Fact]
    public async Task Help_ListsEveryVerb_TheSettingsAndTheExitCodes()
    {
        var result = await HeraldProcess.RunAsync("--help");

        result.ExitCode.ShouldBe(0, result.ToString());
        foreach (var verb in Verbs)
        {
            result.Stdout.ShouldContain("  " + verb);
        }
        result.Stdout.ShouldContain("HERALD_URL");
        result.Stdout.ShouldContain("~/.config/herald/profile.json");
        result.Stdout.ShouldContain("3 server unreachable");
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Help_OnEveryVerb_ShowsItsUsage(string verb)
    {
        var result = await HeraldProcess.RunAsync(verb, "--help");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain($"herald {verb}");
        result.Stdout.ShouldContain("--url");
    }

    [Fact]
    public async Task UnknownVerb_IsAUsageError()
    {
        var result = await HeraldProcess.RunAsync("frobnicate");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("'frobnicate'");
        result.Stderr.ShouldContain("herald --help");
        result.Stdout.ShouldBeEmpty();
    }

    [Fact]
    public async Task MissingRequiredOption_IsAUsageError_NamingIt()
    {
        var result = await HeraldProcess.RunAsync("token", "--org", "acme");

        result.ExitCode.ShouldBe(2);
        result.Stderr.ShouldContain("--sub");
        result.Stderr.ShouldContain("herald token --help");
    }
}
