using Herald.Core.Channels;

namespace Herald.Core.Tests.Channels;

public sealed class ChannelNameTests
{
    private const int MaxLength = LimitsOptions.DefaultMaxChannelNameLength;

    [Theory]
    [InlineData("org:acme", "org", "acme", "acme")]
    [InlineData("workspace:acme/ws_12", "workspace", "acme/ws_12", "acme")]
    [InlineData("logs:acme/build_7", "logs", "acme/build_7", "acme")]
    [InlineData("user:u_1", "user", "u_1", "u_1")]
    [InlineData("my-ns_2:A.b@c=d+e-f/g", "my-ns_2", "A.b@c=d+e-f/g", "A.b@c=d+e-f")]
    [InlineData("a:b/c/d", "a", "b/c/d", "b")]
    public void TryParse_WithValidName_ExposesNamespaceRestAndFirstSegment(string value, string @namespace, string rest, string firstSegment)
    {
        ChannelName.TryParse(value, MaxLength, out var name, out var error).ShouldBeTrue(error);

        error.ShouldBeEmpty();
        name.Value.ShouldBe(value);
        name.ToString().ShouldBe(value);
        name.Namespace.ShouldBe(@namespace);
        name.Rest.ToString().ShouldBe(rest);
        name.FirstSegment.ToString().ShouldBe(firstSegment);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("orgacme")]
    [InlineData(":acme")]
    [InlineData(":")]
    [InlineData("org:")]
    [InlineData("org:a//b")]
    [InlineData("org:a/")]
    [InlineData("org:/a")]
    [InlineData("org:a b")]
    [InlineData("org:a#b")]
    [InlineData("org:acmé")]
    [InlineData("org:a\u0000b")]
    [InlineData("org:a\nb")]
    [InlineData("org:a\tb")]
    [InlineData("org:a\u007fb")]
    [InlineData("org:ac\u200Bme")]
    [InlineData("org:a:b")]
    [InlineData("org:a\\b")]
    [InlineData("org:a*")]
    [InlineData("Org:acme")]
    [InlineData("ORG:acme")]
    [InlineData("o.rg:acme")]
    [InlineData("o rg:acme")]
    [InlineData("ørg:acme")]
    [InlineData(" org:acme")]
    [InlineData("org:acme ")]
    public void TryParse_WithInvalidName_FailsWithAnError(string? value)
    {
        ChannelName.TryParse(value, MaxLength, out var name, out var error).ShouldBeFalse();

        error.ShouldNotBeNullOrWhiteSpace();
        name.ShouldBe(default);
    }

    [Fact]
    public void TryParse_AtMaxLength_Succeeds()
    {
        var value = "org:" + new string('a', MaxLength - 4);

        ChannelName.TryParse(value, MaxLength, out var name, out _).ShouldBeTrue();
        name.Value.Length.ShouldBe(MaxLength);
    }

    [Fact]
    public void TryParse_OverMaxLength_FailsNamingTheLimit()
    {
        var value = "org:" + new string('a', MaxLength - 3);

        ChannelName.TryParse(value, MaxLength, out _, out var error).ShouldBeFalse();
        error.ShouldContain(MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TryParse_WithSmallerConfiguredMaximum_UsesIt()
    {
        ChannelName.TryParse("org:acme", 7, out _, out _).ShouldBeFalse();
        ChannelName.TryParse("org:acme", 8, out _, out _).ShouldBeTrue();
    }

    [Fact]
    public void TryParse_WithControlCharacter_DoesNotEchoItInTheError()
    {
        ChannelName.TryParse("org:a\u0001b", MaxLength, out _, out var error).ShouldBeFalse();

        error.ShouldNotContain("\u0001");
    }

    [Fact]
    public void TryParse_SameNameTwice_GivesEqualValues()
    {
        ChannelName.TryParse("workspace:acme/ws_1", MaxLength, out var a, out _).ShouldBeTrue();
        ChannelName.TryParse("workspace:acme/ws_1", MaxLength, out var b, out _).ShouldBeTrue();

        a.ShouldBe(b);
    }
}
