namespace Herald.Cli.Tests;

/// <summary>What the server verbs refuse before they send anything: missing credentials (4) and bad input (2).</summary>
public sealed class InputCheckTests
{
    private static readonly Dictionary<string, string> WithKey = new() { ["HERALD_API_KEY"] = "k" };

    [Theory]
    [InlineData(new[] { "publish", "org:acme", "t", "{}" }, "publish needs an API key")]
    [InlineData(new[] { "notify", "--user", "u", "--title", "t", "--message", "m" }, "notify needs an API key")]
    [InlineData(new[] { "stats", "--once" }, "stats needs an API key")]
    [InlineData(new[] { "tail", "org:acme" }, "tail needs an API key with the subscribe scope or a user token")]
    [InlineData(new[] { "history", "org:acme" }, "history needs an API key or a user token")]
    [InlineData(new[] { "presence", "workspace:acme/w" }, "presence needs an API key or a user token")]
    [InlineData(new[] { "ops", "list" }, "ops needs an API key")]
    public async Task ServerVerbs_WithoutCredentials_ExitWith4_SayingWhereTheyMayComeFrom(string[] args, string message)
    {
        var result = await HeraldProcess.RunAsync(args);

        result.ExitCode.ShouldBe(4, result.ToString());
        result.Stderr.ShouldContain(message);
        result.Stderr.ShouldContain("HERALD_");
    }

    [Theory]
    [InlineData(new[] { "publish", "org:acme", "t", "{not json" }, "the data is not JSON")]
    [InlineData(new[] { "publish", "org:acme", "t", "{}", "--tag", "novalue" }, "--tag 'novalue' must be key=value")]
    [InlineData(new[] { "publish", "org:acme", "t", "{}", "--lines" }, "--lines reads the data from standard input")]
    [InlineData(new[] { "tail", "org:acme", "--since", "x:y" }, "--since 'x:y' must be an offset")]
    [InlineData(new[] { "tail", "org:acme", "--filter", "status" }, "--filter 'status' must be key=value")]
    [InlineData(new[] { "notify", "--user", "u", "--org", "o", "--title", "t", "--message", "m" }, "exactly one of --user and --org")]
    [InlineData(new[] { "notify", "--user", "u", "--title", "t", "--message", "m", "--data", "{" }, "--data is not JSON")]
    [InlineData(new[] { "ops", "watch", "op_1", "--timeout", "later" }, "--timeout 'later' is not a duration")]
    [InlineData(new[] { "history", "org:acme", "--limit", "0" }, "--limit must be between 1 and 1000")]
    public async Task ServerVerbs_WithBadInput_ExitWith2_BeforeSendingAnything(string[] args, string message)
    {
        var result = await HeraldProcess.RunAsync(args, WithKey);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain(message);
    }

    [Fact]
    public async Task Publish_WithEmptyStandardInput_IsAUsageError()
    {
        var result = await HeraldProcess.RunAsync(["publish", "org:acme", "t"], WithKey, stdin: "");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("the data is empty");
    }

    [Fact]
    public async Task ABrokenProfile_IsAUsageError_ForEveryServerVerb()
    {
        var profile = Path.Combine(HeraldProcess.NewHome(), "broken.json");
        await File.WriteAllTextAsync(profile, "{\"url\": 5}");

        var result = await HeraldProcess.RunAsync("presence", "workspace:acme/w", "--profile", profile);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain(profile);
    }
}
