using Herald.Messages;

namespace Herald.Core.Tests;

public sealed class HeraldCodesTests
{
    [Theory]
    [InlineData(DisconnectCode.Shutdown, true)]
    [InlineData(DisconnectCode.InternalError, true)]
    [InlineData(DisconnectCode.TokenExpired, true)]
    [InlineData(DisconnectCode.SlowConsumer, true)]
    [InlineData(DisconnectCode.TooManyRequests, true)]
    [InlineData(DisconnectCode.NoPong, true)]
    [InlineData(DisconnectCode.BrokerInterrupted, true)]
    [InlineData(DisconnectCode.InvalidToken, false)]
    [InlineData(DisconnectCode.HandshakeTimeout, false)]
    [InlineData(DisconnectCode.ConnectionLimit, false)]
    [InlineData(DisconnectCode.ForceDisconnect, false)]
    [InlineData((DisconnectCode)3499, true)]
    [InlineData((DisconnectCode)4000, false)]
    [InlineData((DisconnectCode)2999, false)]
    public void ShouldReconnect_FollowsTheCodeRanges(DisconnectCode code, bool expected)
    {
        HeraldCodes.ShouldReconnect(code).ShouldBe(expected);
    }

    [Fact]
    public void Reason_EveryDefinedCodeHasItsOwnReason()
    {
        var reasons = Enum.GetValues<DisconnectCode>().Select(HeraldCodes.Reason).ToList();

        reasons.ShouldAllBe(r => !string.IsNullOrWhiteSpace(r) && r != "disconnect");
        reasons.Distinct().Count().ShouldBe(reasons.Count);
        HeraldCodes.Reason(DisconnectCode.SlowConsumer).ShouldBe("slow consumer");
        HeraldCodes.Reason((DisconnectCode)4001).ShouldBe("disconnect");
    }

    [Fact]
    public void ErrorCodes_HaveTheDocumentedNumbers()
    {
        ((int)HeraldErrorCode.Unauthorized).ShouldBe(101);
        ((int)HeraldErrorCode.UnknownNamespace).ShouldBe(102);
        ((int)HeraldErrorCode.PermissionDenied).ShouldBe(103);
        ((int)HeraldErrorCode.UnknownMessageType).ShouldBe(104);
        ((int)HeraldErrorCode.AlreadySubscribed).ShouldBe(105);
        ((int)HeraldErrorCode.LimitExceeded).ShouldBe(106);
        ((int)HeraldErrorCode.BadRequest).ShouldBe(107);
        ((int)HeraldErrorCode.TokenExpired).ShouldBe(109);
        ((int)HeraldErrorCode.InvalidChannel).ShouldBe(114);
        ((int)DisconnectCode.SlowConsumer).ShouldBe(3008);
        ((int)DisconnectCode.TooManyRequests).ShouldBe(3011);
        ((int)DisconnectCode.BrokerInterrupted).ShouldBe(3013);
        ((int)DisconnectCode.ConnectionLimit).ShouldBe(3503);
    }
}
