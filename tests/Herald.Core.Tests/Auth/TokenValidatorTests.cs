using System.Security.Cryptography;
using System.Text;
using Herald.Core.Auth;
using Herald.Core.Tests.Infrastructure;
using Herald.Messages;

namespace Herald.Core.Tests.Auth;

public sealed class TokenValidatorTests(RsaKeyFixture rsa) : IClassFixture<RsaKeyFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private TokenValidator HsOnly() => new(new AuthOptions { JwtSecret = TestJwt.Secret });

    private TokenValidator RsOnly() => new(new AuthOptions { JwtPublicKeyFile = rsa.PublicKeyFile });

    private TokenValidator Both() => new(new AuthOptions { JwtSecret = TestJwt.Secret, JwtPublicKeyFile = rsa.PublicKeyFile });

    private static async Task<TokenResult> Validate(TokenValidator validator, string? token) =>
        await validator.ValidateAsync(token).AsTask().WaitAsync(Timeout);

    private static void ShouldBeRefused(TokenResult result, HeraldErrorCode code = HeraldErrorCode.Unauthorized)
    {
        result.IsValid.ShouldBeFalse();
        result.Principal.ShouldBeNull();
        result.Error.ShouldBe(code);
        result.Message.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Validate_Hs256Token_ReturnsPrincipalWithSubOrgAndChannels()
    {
        var expires = DateTime.UtcNow.AddHours(1);
        var token = TestJwt.Hs256(TestJwt.Claims("u_1", "acme", ["shared:doc_1", "shared:team_1/*"]), expires: expires);

        var result = await Validate(HsOnly(), token);

        result.IsValid.ShouldBeTrue(result.Message);
        var principal = result.Principal.ShouldNotBeNull();
        principal.UserId.ShouldBe("u_1");
        principal.OrgId.ShouldBe("acme");
        principal.Channels.ShouldBe(["shared:doc_1", "shared:team_1/*"]);
        principal.ExpiresAt.ShouldNotBeNull().ToUnixTimeSeconds().ShouldBe(new DateTimeOffset(expires).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Validate_Hs256TokenWithoutChannels_HasNoGrants()
    {
        var result = await Validate(HsOnly(), TestJwt.Hs256(TestJwt.Claims()));

        result.Principal.ShouldNotBeNull().Channels.ShouldBeEmpty();
    }

    [Fact]
    public async Task Validate_Rs256Token_ReturnsPrincipal()
    {
        var token = TestJwt.Rs256(rsa.Key, TestJwt.Claims("u_2", "globex", ["a:1"]));

        var result = await Validate(RsOnly(), token);

        result.IsValid.ShouldBeTrue(result.Message);
        result.Principal!.UserId.ShouldBe("u_2");
        result.Principal.OrgId.ShouldBe("globex");
        result.Principal.Channels.ShouldBe(["a:1"]);
    }

    [Fact]
    public async Task Validate_BothConfigured_AcceptsHs256AndRs256()
    {
        var validator = Both();

        (await Validate(validator, TestJwt.Hs256(TestJwt.Claims()))).IsValid.ShouldBeTrue();
        (await Validate(validator, TestJwt.Rs256(rsa.Key, TestJwt.Claims()))).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Validate_Rs256SignedWithAnotherKey_IsRefused()
    {
        ShouldBeRefused(await Validate(RsOnly(), TestJwt.Rs256(rsa.Other, TestJwt.Claims())));
    }

    [Fact]
    public async Task Validate_ExpiredToken_ReportsTokenExpired()
    {
        var token = TestJwt.Hs256(TestJwt.Claims(), expires: DateTime.UtcNow.AddMinutes(-10));

        var result = await Validate(HsOnly(), token);

        ShouldBeRefused(result, HeraldErrorCode.TokenExpired);
        ((int)result.Error).ShouldBe(109);
    }

    [Fact]
    public async Task Validate_ExpiredTokenWithinClockSkew_IsAccepted()
    {
        var validator = new TokenValidator(new AuthOptions { JwtSecret = TestJwt.Secret, ClockSkewSeconds = 600 });
        var token = TestJwt.Hs256(TestJwt.Claims(), expires: DateTime.UtcNow.AddMinutes(-1));

        (await Validate(validator, token)).IsValid.ShouldBeTrue();
    }

    [Fact]
    public async Task Validate_TokenNotYetValid_IsRefused()
    {
        var payload = TestJwt.Payload();
        payload["nbf"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        payload["exp"] = DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds();
        var token = TestJwt.Hmac(new { alg = "HS256", typ = "JWT" }, payload, Encoding.UTF8.GetBytes(TestJwt.Secret), HashAlgorithmName.SHA256);

        (await Validate(HsOnly(), token)).IsValid.ShouldBeFalse();
    }

    [Fact]
    public async Task Validate_HandBuiltHs256Token_IsAccepted()
    {
        // Guards the forged-token tests below: the hand-built shape is valid when signed correctly.
        var token = TestJwt.Hmac(new { alg = "HS256", typ = "JWT" }, TestJwt.Payload(), Encoding.UTF8.GetBytes(TestJwt.Secret), HashAlgorithmName.SHA256);

        (await Validate(HsOnly(), token)).IsValid.ShouldBeTrue();
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    public async Task Validate_AlgNone_IsRefused(string alg)
    {
        var unsigned = $"{TestJwt.B64(new { alg, typ = "JWT" })}.{TestJwt.B64(TestJwt.Payload())}.";

        ShouldBeRefused(await Validate(HsOnly(), unsigned));
        ShouldBeRefused(await Validate(Both(), unsigned));
        ShouldBeRefused(await Validate(Both(), unsigned.TrimEnd('.')));
    }

    [Fact]
    public async Task Validate_Hs256SignedWithPublicKeyPem_WhenOnlyRs256Configured_IsRefused()
    {
        var forged = TestJwt.Hmac(new { alg = "HS256", typ = "JWT" }, TestJwt.Payload(), File.ReadAllBytes(rsa.PublicKeyFile), HashAlgorithmName.SHA256);

        ShouldBeRefused(await Validate(RsOnly(), forged));
    }

    [Fact]
    public async Task Validate_Hs256SignedWithPublicKeyPem_WhenBothConfigured_IsRefused()
    {
        var pem = File.ReadAllBytes(rsa.PublicKeyFile);
        var forged = TestJwt.Hmac(new { alg = "HS256", typ = "JWT" }, TestJwt.Payload(), pem, HashAlgorithmName.SHA256);
        var forgedTrimmed = TestJwt.Hmac(new { alg = "HS256", typ = "JWT" }, TestJwt.Payload(), Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(pem).Trim()), HashAlgorithmName.SHA256);
        var forgedDer = TestJwt.Hmac(new { alg = "HS256", typ = "JWT" }, TestJwt.Payload(), rsa.Key.ExportSubjectPublicKeyInfo(), HashAlgorithmName.SHA256);

        ShouldBeRefused(await Validate(Both(), forged));
        ShouldBeRefused(await Validate(Both(), forgedTrimmed));
        ShouldBeRefused(await Validate(Both(), forgedDer));
    }

    [Fact]
    public async Task Validate_Hs256WithWrongSecret_IsRefused()
    {
        var token = TestJwt.Hs256(TestJwt.Claims(), secret: "another-secret-0123456789-abcdefghijklmnopqrstuvwxyz");

        ShouldBeRefused(await Validate(HsOnly(), token));
        ShouldBeRefused(await Validate(Both(), token));
    }

    [Fact]
    public async Task Validate_TamperedPayload_IsRefused()
    {
        var token = TestJwt.Hs256(TestJwt.Claims("u_1", "acme"));
        var parts = token.Split('.');
        var tampered = $"{parts[0]}.{TestJwt.B64(TestJwt.Payload("u_1", "globex"))}.{parts[2]}";

        ShouldBeRefused(await Validate(HsOnly(), tampered));
    }

    [Fact]
    public async Task Validate_MissingSub_IsRefused()
    {
        ShouldBeRefused(await Validate(HsOnly(), TestJwt.Hs256(TestJwt.Claims(sub: null))));
        ShouldBeRefused(await Validate(HsOnly(), TestJwt.Hs256(TestJwt.Claims(sub: ""))));
    }

    [Fact]
    public async Task Validate_MissingOrg_IsRefused()
    {
        ShouldBeRefused(await Validate(HsOnly(), TestJwt.Hs256(TestJwt.Claims(org: null))));
        ShouldBeRefused(await Validate(HsOnly(), TestJwt.Hs256(TestJwt.Claims(org: ""))));
    }

    public static TheoryData<string?> GarbageTokens()
    {
        var header = TestJwt.B64(new { alg = "HS256", typ = "JWT" });
        var payload = TestJwt.B64(TestJwt.Payload());
        return new TheoryData<string?>
        {
            null,
            "",
            " ",
            "garbage",
            "not a token at all",
            ".",
            "..",
            "...",
            "....",
            "a.b",
            "a.b.c",
            "a.b.c.d.e",
            "%%%.%%%.%%%",
            "eyJ.eyJ.sig",
            "\0\0\0.\0.\0",
            "Bearer " + header + "." + payload + ".sig",
            header + "." + payload,
            header + ".",
            header + "..",
            header + "." + payload + ".",
            header + "." + payload + ".!!!",
            header + ".!!!.sig",
            header + "." + TestJwt.B64("not json") + ".sig",
            header + "." + TestJwt.B64("[1,2]") + ".sig",
            header + "." + TestJwt.B64("{\"sub\":") + ".sig",
            TestJwt.B64("not json") + "." + payload + ".sig",
            TestJwt.B64("[]") + "." + payload + ".sig",
            TestJwt.B64("\"HS256\"") + "." + payload + ".sig",
            TestJwt.B64("{\"alg\":256}") + "." + payload + ".sig",
            TestJwt.B64("{\"alg\":null}") + "." + payload + ".sig",
            TestJwt.B64("{\"typ\":\"JWT\"}") + "." + payload + ".sig",
            TestJwt.B64("{\"alg\":\"HS256\"") + "." + payload + ".sig",
            TestJwt.B64(new string('[', 200)) + "." + payload + ".sig",
            header + "." + payload + ".sig.extra",
        };
    }

    [Theory]
    [MemberData(nameof(GarbageTokens))]
    public async Task Validate_GarbageToken_IsRefusedWithoutThrowing(string? token)
    {
        ShouldBeRefused(await Validate(Both(), token));
    }

    [Fact]
    public async Task Validate_TokenLongerThan8192Characters_IsRefused()
    {
        var big = TestJwt.Claims();
        big["padding"] = new string('x', 9000);
        var token = TestJwt.Hs256(big);
        token.Length.ShouldBeGreaterThan(8192);

        ShouldBeRefused(await Validate(HsOnly(), token));
        ShouldBeRefused(await Validate(HsOnly(), new string('a', 8193)));
        ShouldBeRefused(await Validate(HsOnly(), new string('.', 100_000)));
    }

    [Fact]
    public async Task Validate_Rs256Token_WhenOnlyHs256Configured_IsRefused()
    {
        ShouldBeRefused(await Validate(HsOnly(), TestJwt.Rs256(rsa.Key, TestJwt.Claims())));
    }

    [Fact]
    public async Task Validate_Hs256Token_WhenOnlyRs256Configured_IsRefused()
    {
        ShouldBeRefused(await Validate(RsOnly(), TestJwt.Hs256(TestJwt.Claims())));
    }

    [Theory]
    [InlineData("HS384")]
    [InlineData("HS512")]
    public async Task Validate_OtherHmacAlgorithms_AreRefused(string alg)
    {
        var hash = alg == "HS384" ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA512;
        var token = TestJwt.Hmac(new { alg, typ = "JWT" }, TestJwt.Payload(), Encoding.UTF8.GetBytes(TestJwt.Secret), hash);

        ShouldBeRefused(await Validate(HsOnly(), token));
        ShouldBeRefused(await Validate(Both(), token));
    }

    [Fact]
    public async Task Validate_Hs256SignatureUnderHs384Header_IsRefused()
    {
        var token = TestJwt.Hmac(new { alg = "HS384", typ = "JWT" }, TestJwt.Payload(), Encoding.UTF8.GetBytes(TestJwt.Secret), HashAlgorithmName.SHA256);

        ShouldBeRefused(await Validate(HsOnly(), token));
    }

    [Fact]
    public async Task Validate_NothingConfigured_RefusesEverything()
    {
        var validator = new TokenValidator(new AuthOptions());

        ShouldBeRefused(await Validate(validator, TestJwt.Hs256(TestJwt.Claims())));
        ShouldBeRefused(await Validate(validator, TestJwt.Rs256(rsa.Key, TestJwt.Claims())));
    }

    [Fact]
    public async Task Validate_WithIssuerAndAudienceConfigured_RequiresThem()
    {
        var validator = new TokenValidator(new AuthOptions { JwtSecret = TestJwt.Secret, Issuer = "https://auth.acme", Audience = "herald" });
        var good = TestJwt.Claims();
        good["iss"] = "https://auth.acme";
        good["aud"] = "herald";
        var wrongIssuer = TestJwt.Claims();
        wrongIssuer["iss"] = "https://evil";
        wrongIssuer["aud"] = "herald";
        var wrongAudience = TestJwt.Claims();
        wrongAudience["iss"] = "https://auth.acme";
        wrongAudience["aud"] = "other";

        (await Validate(validator, TestJwt.Hs256(good))).IsValid.ShouldBeTrue();
        ShouldBeRefused(await Validate(validator, TestJwt.Hs256(wrongIssuer)));
        ShouldBeRefused(await Validate(validator, TestJwt.Hs256(wrongAudience)));
        ShouldBeRefused(await Validate(validator, TestJwt.Hs256(TestJwt.Claims())));
    }

    [Fact]
    public async Task Validate_ExpiredTokenWithWrongSignature_IsNotReportedAsExpired()
    {
        var token = TestJwt.Hs256(TestJwt.Claims(), secret: "another-secret-0123456789-abcdefghijklmnopqrstuvwxyz", expires: DateTime.UtcNow.AddMinutes(-10));

        ShouldBeRefused(await Validate(HsOnly(), token), HeraldErrorCode.Unauthorized);
    }
}
