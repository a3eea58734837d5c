using Herald.Cli.Settings;

namespace Herald.Cli.Tests;

/// <summary>Where the connection settings come from: flags, then the environment, then the profile, then the default.</summary>
public sealed class ConnectionSettingsTests
{
    private static Func<string, string?> Environment(Dictionary<string, string> values) => name => values.GetValueOrDefault(name);

    private static string Profile(string home, string name, string json)
    {
        var directory = Path.Combine(home, ".config", "herald");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Nothing_IsTheDefaultAddressWithoutCredentials()
    {
        var settings = ConnectionSettings.Resolve(null, null, null, null, Environment(new() { ["HOME"] = HeraldProcess.NewHome() }));

        settings.Url.ShouldBe(new Uri("http://127.0.0.1:5080"));
        settings.ApiKey.ShouldBeNull();
        settings.Token.ShouldBeNull();
    }

    [Fact]
    public void FlagsWin_OverTheEnvironment_WhichWinsOverTheDefaultProfile()
    {
        var home = HeraldProcess.NewHome();
        Profile(home, "profile", """{"url":"http://profile:1","apiKey":"profile-key","token":"profile-token"}""");
        var environment = Environment(new() { ["HOME"] = home, ["HERALD_URL"] = "http://env:2", ["HERALD_API_KEY"] = "env-key" });

        var fromFlags = ConnectionSettings.Resolve("http://flag:3", "flag-key", null, null, environment);
        var fromEnvironment = ConnectionSettings.Resolve(null, null, null, null, environment);

        fromFlags.Url.ShouldBe(new Uri("http://flag:3"));
        fromFlags.ApiKey.ShouldBe("flag-key");
        fromFlags.Token.ShouldBe("profile-token");
        fromEnvironment.Url.ShouldBe(new Uri("http://env:2"));
        fromEnvironment.ApiKey.ShouldBe("env-key");
    }

    [Fact]
    public void ANamedProfile_IsAFileInTheConfigurationDirectory()
    {
        var home = HeraldProcess.NewHome();
        Profile(home, "work", """{"url":"https://herald.example.com","token":"t"}""");

        var byFlag = ConnectionSettings.Resolve(null, null, null, "work", Environment(new() { ["HOME"] = home }));
        var byEnvironment = ConnectionSettings.Resolve(null, null, null, null, Environment(new() { ["HOME"] = home, ["HERALD_PROFILE"] = "work" }));

        byFlag.Url.ShouldBe(new Uri("https://herald.example.com"));
        byEnvironment.Token.ShouldBe("t");
    }

    [Fact]
    public void AWebSocketAddress_NamesTheSameServer()
    {
        ConnectionSettings.Resolve("ws://127.0.0.1:5080", null, null, null, Environment(new() { ["HOME"] = HeraldProcess.NewHome() })).Url.ShouldBe(new Uri("http://127.0.0.1:5080"));
    }

    [Theory]
    [InlineData("{\"url\":5}", "'url' must be a string")]
    [InlineData("{\"apikey\":\"x\"}", "unknown field 'apikey'")]
    [InlineData("[1]", "must hold a JSON object")]
    [InlineData("{\"url\":", "is not valid JSON")]
    public void ABrokenProfile_IsAUsageError_NamingTheFile(string json, string message)
    {
        var home = HeraldProcess.NewHome();
        var path = Profile(home, "profile", json);

        var error = Should.Throw<CliException>(() => ConnectionSettings.Resolve(null, null, null, null, Environment(new() { ["HOME"] = home })));

        error.ExitCode.ShouldBe(2);
        error.Message.ShouldContain(message);
        error.Message.ShouldContain(path);
    }

    [Fact]
    public void AMissingNamedProfile_IsAUsageError_ButAMissingDefaultOneIsNot()
    {
        var environment = Environment(new() { ["HOME"] = HeraldProcess.NewHome() });

        Should.Throw<CliException>(() => ConnectionSettings.Resolve(null, null, null, "nope", environment)).Message.ShouldContain("does not exist");
        Should.NotThrow(() => ConnectionSettings.Resolve(null, null, null, null, environment));
    }

    [Theory]
    [InlineData("127.0.0.1:5080")]
    [InlineData("ftp://x")]
    public void ABadAddress_IsAUsageError(string url)
    {
        Should.Throw<CliException>(() => ConnectionSettings.Resolve(url, null, null, null, Environment(new() { ["HOME"] = HeraldProcess.NewHome() }))).ExitCode.ShouldBe(2);
    }
}
