using static Herald.Protocol.SocketIO.Tests.Bytes;

namespace Herald.Protocol.SocketIO.Tests;

public sealed class EngineIOHttpErrorsTests
{
    [Theory]
    [InlineData(EngineIOHttpErrorCode.TransportUnknown, 0, "Transport unknown", 400)]
    [InlineData(EngineIOHttpErrorCode.SessionIdUnknown, 1, "Session ID unknown", 400)]
    [InlineData(EngineIOHttpErrorCode.BadHandshakeMethod, 2, "Bad handshake method", 400)]
    [InlineData(EngineIOHttpErrorCode.BadRequest, 3, "Bad request", 400)]
    [InlineData(EngineIOHttpErrorCode.Forbidden, 4, "Forbidden", 403)]
    [InlineData(EngineIOHttpErrorCode.UnsupportedProtocolVersion, 5, "Unsupported protocol version", 400)]
    public void EveryCode_HasTheReferenceBodyAndStatus(EngineIOHttpErrorCode code, int number, string message, int status)
    {
        ((int)code).ShouldBe(number);
        EngineIOHttpErrors.Message(code).ShouldBe(message);
        Text(EngineIOHttpErrors.Body(code).ToArray()).ShouldBe($$"""{"code":{{number}},"message":"{{message}}"}""");
        EngineIOHttpErrors.Body(code, message).ShouldBe(EngineIOHttpErrors.Body(code).ToArray());
        EngineIOHttpErrors.StatusCode(code).ShouldBe(status);
    }

    [Fact]
    public void Body_WithCustomMessage_IsEscaped() =>
        Text(EngineIOHttpErrors.Body(EngineIOHttpErrorCode.Forbidden, "origin \"x\" refused"))
            .ShouldBe("""{"code":4,"message":"origin \u0022x\u0022 refused"}""");

    [Fact]
    public void UndefinedCode_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => EngineIOHttpErrors.Message((EngineIOHttpErrorCode)6));
        Should.Throw<ArgumentOutOfRangeException>(() => EngineIOHttpErrors.Body((EngineIOHttpErrorCode)(-1)).ToArray());
    }
}
