using Herald.Core.Channels;
using Herald.Messages;

namespace Herald.Core.Tests.Channels;

public sealed class NamespaceRegistryTests
{
    private static readonly string[] Shipped =
    [
        "org", "user", "workspace", "task", "operation", "connection", "service", "build", "deploy",
        "logs", "metrics", "executions", "workflows", "approvals",
    ];

    [Fact]
    public void CreateDefaults_ContainsTheFourteenShippedNamespaces()
    {
        var defaults = NamespaceRegistry.CreateDefaults();

        defaults.Count.ShouldBe(14);
        defaults.Keys.ShouldBe(Shipped, ignoreOrder: true);
        NamespaceRegistry.ShippedNamespaces.ShouldBe(Shipped, ignoreOrder: true);
    }

    [Fact]
    public void CreateDefaults_ScopesEveryNamespaceByOrg_ExceptUser()
    {
        var defaults = NamespaceRegistry.CreateDefaults();

        defaults["user"].Scope.ShouldBe(ChannelScope.User);
        foreach (var (name, options) in defaults.Where(d => d.Key != "user"))
        {
            options.Scope.ShouldBe(ChannelScope.Org, name);
        }
    }

    [Fact]
    public void CreateDefaults_DoesNotAllowClientPublish()
    {
        NamespaceRegistry.CreateDefaults().Values.ShouldAllBe(o => !o.AllowPublish);
    }

    [Fact]
    public void CreateDefaults_ReturnsAFreshDictionaryEachTime()
    {
        var first = NamespaceRegistry.CreateDefaults();
        first["org"].Scope = ChannelScope.Public;
        first.Remove("user");

        var second = NamespaceRegistry.CreateDefaults();
        second["org"].Scope.ShouldBe(ChannelScope.Org);
        second.ShouldContainKey("user");
    }

    [Fact]
    public void Resolve_KnownNamespace_ReturnsNameAndOptions()
    {
        var registry = new NamespaceRegistry(NamespaceRegistry.CreateDefaults());

        registry.Resolve("workspace:acme/ws_1", 255, out var name, out var options).ShouldBeNull();

        name.Namespace.ShouldBe("workspace");
        name.FirstSegment.ToString().ShouldBe("acme");
        options.ShouldBeSameAs(registry.Namespaces["workspace"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("org")]
    [InlineData("org:")]
    [InlineData("org:a//b")]
    [InlineData("Org:acme")]
    [InlineData("org:a b")]
    public void Resolve_MalformedName_ReturnsInvalidChannel(string? channel)
    {
        var registry = new NamespaceRegistry(NamespaceRegistry.CreateDefaults());

        var error = registry.Resolve(channel, 255, out _, out _);

        error.ShouldNotBeNull();
        error.Value.Code.ShouldBe(HeraldErrorCode.InvalidChannel);
        ((int)error.Value.Code).ShouldBe(114);
    }

    [Fact]
    public void Resolve_NameLongerThanMaximum_ReturnsInvalidChannel()
    {
        var registry = new NamespaceRegistry(NamespaceRegistry.CreateDefaults());

        registry.Resolve("org:acme", 5, out _, out _).ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.InvalidChannel);
    }

    [Theory]
    [InlineData("chat:room_1")]
    [InlineData("orgs:acme")]
    [InlineData("users:u_1")]
    public void Resolve_UnconfiguredNamespace_ReturnsUnknownNamespace(string channel)
    {
        var registry = new NamespaceRegistry(NamespaceRegistry.CreateDefaults());

        var error = registry.Resolve(channel, 255, out _, out _);

        error.ShouldNotBeNull();
        error.Value.Code.ShouldBe(HeraldErrorCode.UnknownNamespace);
        ((int)error.Value.Code).ShouldBe(102);
    }

    [Fact]
    public void Resolve_ConfiguredCustomNamespace_UsesItsOptions()
    {
        var registry = new NamespaceRegistry(new Dictionary<string, NamespaceOptions>
        {
            ["chat"] = new() { Scope = ChannelScope.Public, AllowPublish = true },
        });

        registry.Resolve("chat:room_1", 255, out _, out var options).ShouldBeNull();
        options.Scope.ShouldBe(ChannelScope.Public);
        options.AllowPublish.ShouldBeTrue();
        registry.Resolve("org:acme", 255, out _, out _).ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.UnknownNamespace);
    }

    [Fact]
    public void TryGet_IsCaseSensitive()
    {
        var registry = new NamespaceRegistry(NamespaceRegistry.CreateDefaults());

        registry.TryGet("org", out _).ShouldBeTrue();
        registry.TryGet("ORG", out _).ShouldBeFalse();
    }
}
