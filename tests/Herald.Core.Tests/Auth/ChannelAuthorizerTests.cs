using Herald.Core.Auth;
using Herald.Core.Channels;

namespace Herald.Core.Tests.Auth;

public sealed class ChannelAuthorizerTests
{
    private static readonly NamespaceOptions OrgScope = new() { Scope = ChannelScope.Org };
    private static readonly NamespaceOptions UserScope = new() { Scope = ChannelScope.User };
    private static readonly NamespaceOptions PublicScope = new() { Scope = ChannelScope.Public };
    private static readonly NamespaceOptions GrantScope = new() { Scope = ChannelScope.Grant };

    private static readonly HeraldPrincipal AcmeUser = new("u_1", "acme");

    private static ChannelName Name(string value)
    {
        ChannelName.TryParse(value, 255, out var name, out var error).ShouldBeTrue(error);
        return name;
    }

    [Theory]
    [InlineData("org:acme")]
    [InlineData("workspace:acme/ws_1")]
    [InlineData("logs:acme/build_7/step_2")]
    public void CanRead_OrgScope_MemberMayReadOwnOrgChannels(string channel)
    {
        ChannelAuthorizer.CanRead(AcmeUser, Name(channel), OrgScope).ShouldBeTrue();
    }

    [Theory]
    [InlineData("org:globex")]
    [InlineData("org:acme2")]
    [InlineData("org:acm")]
    [InlineData("org:acme.evil")]
    [InlineData("org:ACME")]
    [InlineData("workspace:acme2/ws_1")]
    [InlineData("workspace:globex/acme")]
    [InlineData("workspace:acmeX/ws_1")]
    public void CanRead_OrgScope_RefusesOtherOrgsAndPrefixTricks(string channel)
    {
        ChannelAuthorizer.CanRead(AcmeUser, Name(channel), OrgScope).ShouldBeFalse();
    }

    [Fact]
    public void CanRead_OrgScope_UsesOrgNotUserId()
    {
        var principal = new HeraldPrincipal("acme", "globex");

        ChannelAuthorizer.CanRead(principal, Name("org:acme"), OrgScope).ShouldBeFalse();
        ChannelAuthorizer.CanRead(principal, Name("org:globex"), OrgScope).ShouldBeTrue();
    }

    [Fact]
    public void CanRead_UserScope_OnlyTheUserItself()
    {
        ChannelAuthorizer.CanRead(AcmeUser, Name("user:u_1"), UserScope).ShouldBeTrue();
        ChannelAuthorizer.CanRead(AcmeUser, Name("user:u_1/notifications"), UserScope).ShouldBeTrue();
        ChannelAuthorizer.CanRead(AcmeUser, Name("user:u_2"), UserScope).ShouldBeFalse();
        ChannelAuthorizer.CanRead(AcmeUser, Name("user:u_10"), UserScope).ShouldBeFalse();
        ChannelAuthorizer.CanRead(AcmeUser, Name("user:u"), UserScope).ShouldBeFalse();
        ChannelAuthorizer.CanRead(AcmeUser, Name("user:acme"), UserScope).ShouldBeFalse();
    }

    [Fact]
    public void CanRead_PublicScope_AnyUser()
    {
        ChannelAuthorizer.CanRead(AcmeUser, Name("news:globex"), PublicScope).ShouldBeTrue();
        ChannelAuthorizer.CanRead(new HeraldPrincipal("u_9", "globex"), Name("news:all"), PublicScope).ShouldBeTrue();
    }

    [Fact]
    public void CanRead_GrantScope_WithoutGrants_Refuses()
    {
        ChannelAuthorizer.CanRead(AcmeUser, Name("shared:acme"), GrantScope).ShouldBeFalse();
    }

    [Fact]
    public void CanRead_GrantScope_ExactGrant()
    {
        var principal = new HeraldPrincipal("u_1", "acme", ["shared:doc_1"]);

        ChannelAuthorizer.CanRead(principal, Name("shared:doc_1"), GrantScope).ShouldBeTrue();
        ChannelAuthorizer.CanRead(principal, Name("shared:doc_12"), GrantScope).ShouldBeFalse();
        ChannelAuthorizer.CanRead(principal, Name("shared:doc_1/x"), GrantScope).ShouldBeFalse();
        ChannelAuthorizer.CanRead(principal, Name("shared:doc_2"), GrantScope).ShouldBeFalse();
    }

    [Fact]
    public void CanRead_GrantScope_TrailingStarGrantsAPrefix()
    {
        var principal = new HeraldPrincipal("u_1", "acme", ["shared:team_1/*"]);

        ChannelAuthorizer.CanRead(principal, Name("shared:team_1/doc_1"), GrantScope).ShouldBeTrue();
        ChannelAuthorizer.CanRead(principal, Name("shared:team_1/a/b"), GrantScope).ShouldBeTrue();
        ChannelAuthorizer.CanRead(principal, Name("shared:team_12/doc_1"), GrantScope).ShouldBeFalse();
        ChannelAuthorizer.CanRead(principal, Name("shared:team_2/doc_1"), GrantScope).ShouldBeFalse();
    }

    [Fact]
    public void CanRead_OrgScope_IgnoresGrants()
    {
        var principal = new HeraldPrincipal("u_1", "acme", ["org:globex", "org:*"]);

        ChannelAuthorizer.CanRead(principal, Name("org:globex"), OrgScope).ShouldBeFalse();
    }

    [Theory]
    [InlineData("shared:doc_1", "shared:doc_1", true)]
    [InlineData("shared:doc_1", "shared:doc_2", false)]
    [InlineData("shared:doc_1", "shared:DOC_1", false)]
    [InlineData("shared:doc*", "shared:doc_1", true)]
    [InlineData("shared:doc*", "shared:doc", true)]
    [InlineData("shared:doc*", "shared:do", false)]
    [InlineData("shared:*", "shared:anything/at/all", true)]
    [InlineData("shared:*", "other:x", false)]
    [InlineData("shared:d*c", "shared:d*c", true)]
    [InlineData("shared:d*c", "shared:dxc", false)]
    public void IsGranted_MatchesExactlyOrByTrailingStarPrefix(string grant, string channel, bool expected)
    {
        ChannelAuthorizer.IsGranted([grant], channel).ShouldBe(expected);
    }

    [Fact]
    public void IsGranted_AnyOfSeveralGrants()
    {
        ChannelAuthorizer.IsGranted(["a:1", "b:*", "c:3"], "b:7").ShouldBeTrue();
        ChannelAuthorizer.IsGranted(["a:1", "b:*", "c:3"], "c:3").ShouldBeTrue();
        ChannelAuthorizer.IsGranted(["a:1", "b:*", "c:3"], "c:4").ShouldBeFalse();
        ChannelAuthorizer.IsGranted([], "a:1").ShouldBeFalse();
    }

    [Fact]
    public void CanRead_UnknownScopeValue_Refuses()
    {
        ChannelAuthorizer.CanRead(AcmeUser, Name("org:acme"), new NamespaceOptions { Scope = (ChannelScope)99 }).ShouldBeFalse();
    }

    private static readonly HeraldPrincipal EveryChannelKey = HeraldPrincipal.ForApiKey(new ApiKey("svc", new byte[32], ApiKeyScope.Subscribe));
    private static readonly HeraldPrincipal AcmeKey = HeraldPrincipal.ForApiKey(new ApiKey("svc-acme", new byte[32], ApiKeyScope.Subscribe, "acme"));

    [Theory]
    [InlineData("org:acme", "org")]
    [InlineData("workspace:globex/ws_1", "org")]
    [InlineData("user:u_9", "user")]
    [InlineData("chat:lobby", "public")]
    [InlineData("reports:globex/q3", "grant")]
    public void CanRead_KeyBoundToNoOrganisation_ReadsEveryChannel(string channel, string scope)
    {
        ChannelAuthorizer.CanRead(EveryChannelKey, Name(channel), Scope(scope)).ShouldBeTrue();
    }

    [Theory]
    [InlineData("org:acme", "org", true)]
    [InlineData("workspace:acme/ws_1", "org", true)]
    [InlineData("chat:lobby", "public", true)]
    [InlineData("org:globex", "org", false)]
    [InlineData("org:acme2", "org", false)]
    [InlineData("user:acme", "user", false)]
    [InlineData("user:svc-acme", "user", false)]
    [InlineData("reports:acme/q3", "grant", false)]
    public void CanRead_KeyBoundToAnOrganisation_ReadsOnlyItsOrganisationsAndPublicChannels(string channel, string scope, bool expected)
    {
        ChannelAuthorizer.CanRead(AcmeKey, Name(channel), Scope(scope)).ShouldBe(expected);
    }

    [Fact]
    public void CanRead_UserOfTheOrganisationStar_IsNotAKeyThatReadsEverything()
    {
        var user = new HeraldPrincipal("u_1", HeraldPrincipal.AnyOrg);

        user.ReadsEveryChannel.ShouldBeFalse();
        ChannelAuthorizer.CanRead(user, Name("org:acme"), OrgScope).ShouldBeFalse();
    }

    private static NamespaceOptions Scope(string scope) => scope switch
    {
        "org" => OrgScope,
        "user" => UserScope,
        "public" => PublicScope,
        _ => GrantScope,
    };
}
