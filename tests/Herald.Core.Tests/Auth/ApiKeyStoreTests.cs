using Herald.Core.Auth;

namespace Herald.Core.Tests.Auth;

public sealed class ApiKeyStoreTests
{
    private static ApiKeyStore Store() => new(
    [
        new ApiKeyOptions { Name = "backend", Key = "key-backend-0123456789", Scopes = ["publish"] },
        new ApiKeyOptions { Name = "worker", Key = "key-worker-0123456789", Scopes = ["publish", "Operations "] },
        new ApiKeyOptions { Name = "ops", Key = "key-ops-0123456789", Scopes = ["ADMIN"] },
        new ApiKeyOptions { Name = "nothing", Key = "key-nothing-0123456789", Scopes = ["bogus", ""] },
    ]);

    [Theory]
    [InlineData("key-backend-0123456789", "backend", ApiKeyScope.Publish)]
    [InlineData("key-worker-0123456789", "worker", ApiKeyScope.Publish | ApiKeyScope.Operations)]
    [InlineData("key-ops-0123456789", "ops", ApiKeyScope.Admin)]
    [InlineData("key-nothing-0123456789", "nothing", ApiKeyScope.None)]
    public void Find_ConfiguredKey_ReturnsItWithParsedScopes(string presented, string name, ApiKeyScope scopes)
    {
        var key = Store().Find(presented).ShouldNotBeNull();

        key.Name.ShouldBe(name);
        key.Scopes.ShouldBe(scopes);
    }

    [Fact]
    public void Count_IsTheNumberOfConfiguredKeys()
    {
        Store().Count.ShouldBe(4);
        new ApiKeyStore([]).Count.ShouldBe(0);
    }

    [Fact]
    public void Find_DoesNotKeepTheKeyItself()
    {
        var key = Store().Find("key-backend-0123456789").ShouldNotBeNull();

        key.KeyHash.Length.ShouldBe(32);
        System.Text.Encoding.UTF8.GetString(key.KeyHash).ShouldNotContain("key-backend");
    }

    [Theory]
    [InlineData("")]
    [InlineData("key-backend-012345678")]
    [InlineData("key-backend-01234567890")]
    [InlineData("KEY-BACKEND-0123456789")]
    [InlineData(" key-backend-0123456789")]
    [InlineData("key-backend-0123456789 ")]
    [InlineData("backend")]
    public void Find_UnknownKey_ReturnsNull(string presented)
    {
        Store().Find(presented).ShouldBeNull();
    }

    [Fact]
    public void Find_OversizedKey_ReturnsNull()
    {
        var longKey = new string('k', 1025);
        var store = new ApiKeyStore([new ApiKeyOptions { Name = "long", Key = longKey, Scopes = ["admin"] }]);

        store.Find(longKey).ShouldBeNull();
        store.Find(new string('k', 100_000)).ShouldBeNull();
    }

    [Fact]
    public void Find_KeyOfExactly1024Characters_IsFound()
    {
        var key = new string('k', 1024);
        var store = new ApiKeyStore([new ApiKeyOptions { Name = "long", Key = key, Scopes = ["admin"] }]);

        store.Find(key).ShouldNotBeNull().Name.ShouldBe("long");
    }

    [Fact]
    public void Find_NonAsciiKey_IsFound()
    {
        var key = new string('é', 600);
        var store = new ApiKeyStore([new ApiKeyOptions { Name = "unicode", Key = key, Scopes = ["publish"] }]);

        store.Find(key).ShouldNotBeNull().Name.ShouldBe("unicode");
        store.Find(new string('é', 599)).ShouldBeNull();
    }

    [Fact]
    public void Find_EmptyConfiguredKey_DoesNotMatchEmptyPresentedKey()
    {
        var store = new ApiKeyStore([new ApiKeyOptions { Name = "empty", Key = "", Scopes = ["admin"] }]);

        store.Find("").ShouldBeNull();
    }

    [Fact]
    public void Find_WithNoKeysConfigured_ReturnsNull()
    {
        new ApiKeyStore([]).Find("anything").ShouldBeNull();
    }

    [Theory]
    [InlineData("publish", ApiKeyScope.Publish)]
    [InlineData("Publish", ApiKeyScope.Publish)]
    [InlineData(" operations ", ApiKeyScope.Operations)]
    [InlineData("ADMIN", ApiKeyScope.Admin)]
    public void TryParse_KnownScope_Succeeds(string value, ApiKeyScope expected)
    {
        ApiKeyScopes.TryParse(value, out var scope).ShouldBeTrue();
        scope.ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("none")]
    [InlineData("publisher")]
    [InlineData("read")]
    public void TryParse_UnknownScope_Fails(string value)
    {
        ApiKeyScopes.TryParse(value, out var scope).ShouldBeFalse();
        scope.ShouldBe(ApiKeyScope.None);
    }

    [Theory]
    [InlineData(ApiKeyScope.Publish, ApiKeyScope.Publish, true)]
    [InlineData(ApiKeyScope.Publish, ApiKeyScope.Operations, false)]
    [InlineData(ApiKeyScope.Publish, ApiKeyScope.Admin, false)]
    [InlineData(ApiKeyScope.Operations, ApiKeyScope.Operations, true)]
    [InlineData(ApiKeyScope.Operations, ApiKeyScope.Publish, false)]
    [InlineData(ApiKeyScope.Publish | ApiKeyScope.Operations, ApiKeyScope.Operations, true)]
    [InlineData(ApiKeyScope.Publish | ApiKeyScope.Operations, ApiKeyScope.Publish | ApiKeyScope.Operations, true)]
    [InlineData(ApiKeyScope.Publish | ApiKeyScope.Operations, ApiKeyScope.Admin, false)]
    [InlineData(ApiKeyScope.Publish, ApiKeyScope.Publish | ApiKeyScope.Operations, false)]
    [InlineData(ApiKeyScope.None, ApiKeyScope.Publish, false)]
    [InlineData(ApiKeyScope.Admin, ApiKeyScope.Publish, true)]
    [InlineData(ApiKeyScope.Admin, ApiKeyScope.Operations, true)]
    [InlineData(ApiKeyScope.Admin, ApiKeyScope.Admin, true)]
    [InlineData(ApiKeyScope.Admin, ApiKeyScope.Publish | ApiKeyScope.Operations, true)]
    public void Allows_GrantsRequiredScopes_AdminImpliesAll(ApiKeyScope granted, ApiKeyScope required, bool expected)
    {
        granted.Allows(required).ShouldBe(expected);
    }

    [Theory]
    [InlineData("subscribe", ApiKeyScope.Subscribe)]
    [InlineData("Subscribe", ApiKeyScope.Subscribe)]
    public void TryParse_Subscribe_Succeeds(string value, ApiKeyScope expected)
    {
        ApiKeyScopes.TryParse(value, out var scope).ShouldBeTrue();
        scope.ShouldBe(expected);
    }

    private static ApiKeyStore ServiceStore() => new(
    [
        new ApiKeyOptions { Name = "svc", Key = "key-svc-0123456789", Scopes = ["subscribe"] },
        new ApiKeyOptions { Name = "svc-acme", Key = "key-acme-0123456789", Scopes = ["subscribe"], Org = "acme" },
        new ApiKeyOptions { Name = "ops", Key = "key-ops-0123456789", Scopes = ["admin"], Org = "" },
        new ApiKeyOptions { Name = "backend", Key = "key-backend-0123456789", Scopes = ["publish", "operations"] },
    ]);

    [Theory]
    [InlineData("key-svc-0123456789", "svc", HeraldPrincipal.AnyOrg)]
    [InlineData("key-acme-0123456789", "svc-acme", "acme")]
    [InlineData("key-ops-0123456789", "ops", HeraldPrincipal.AnyOrg)]
    public void ValidateForConnection_KeyWithSubscribeOrAdmin_IsAServicePrincipalNamedAfterTheKey(string presented, string user, string org)
    {
        var result = ServiceStore().ValidateForConnection(presented);

        var principal = result.Principal.ShouldNotBeNull();
        principal.IsApiKey.ShouldBeTrue();
        principal.UserId.ShouldBe(user);
        principal.OrgId.ShouldBe(org);
        principal.ExpiresAt.ShouldBeNull();
        principal.ReadsEveryChannel.ShouldBe(org == HeraldPrincipal.AnyOrg);
    }

    [Fact]
    public void ValidateForConnection_KeyWithoutTheScope_IsRefusedNamingTheKeyAndTheScope()
    {
        var result = ServiceStore().ValidateForConnection("key-backend-0123456789");

        result.IsValid.ShouldBeFalse();
        result.Error.ShouldBe(Herald.Messages.HeraldErrorCode.Unauthorized);
        result.Message.ShouldBe("the API key 'backend' lacks the 'subscribe' scope");
    }

    [Fact]
    public void ValidateForConnection_UnknownKey_IsRefused()
    {
        var result = ServiceStore().ValidateForConnection("key-nobody-0123456789");

        result.Error.ShouldBe(Herald.Messages.HeraldErrorCode.Unauthorized);
        result.Message.ShouldBe(ApiKeyStore.InvalidKey);
    }

    [Fact]
    public void Find_KeepsTheBoundOrganisation_AndNoneForAnEmptyOne()
    {
        ServiceStore().Find("key-acme-0123456789").ShouldNotBeNull().Org.ShouldBe("acme");
        ServiceStore().Find("key-ops-0123456789").ShouldNotBeNull().Org.ShouldBeNull();
    }
}
