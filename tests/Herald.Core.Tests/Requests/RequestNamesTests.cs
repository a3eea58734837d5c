using System.Text;
using Herald.Core.Requests;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Core.Tests.Requests;

public sealed class RequestNamesTests
{
    [Fact]
    public void SocketIO_HistoryAndRequestHistory_NameTheSameRequest()
    {
        RequestNames.TryGetSocketIOEvent("history", out var alias).ShouldBeTrue();
        RequestNames.TryGetSocketIOEvent("request_history", out var name).ShouldBeTrue();
        alias.ShouldBe(RequestKind.History);
        name.ShouldBe(alias);
    }

    [Fact]
    public void Native_OnlyRequestHistory_NamesTheHistoryRequest()
    {
        RequestNames.TryGetNative("request_history", out var kind).ShouldBeTrue();
        kind.ShouldBe(RequestKind.History);
        RequestNames.TryGetNative("history", out _).ShouldBeFalse();
        RequestNames.NativeName(RequestKind.History).ShouldBe("request_history");
    }

    [Theory]
    [InlineData("connect", false)]
    [InlineData("ping", false)]
    [InlineData("pong", false)]
    [InlineData("refresh", true)]
    [InlineData("subscribe", true)]
    public void SocketIO_ConnectAndPing_AreNotEvents_RefreshIs(string name, bool isEvent) =>
        RequestNames.TryGetSocketIOEvent(name, out _).ShouldBe(isEvent);

    private static RequestFields Read(string json, bool typeIsEvent)
    {
        var fields = new RequestFields();
        RequestReader.TryReadObject(Encoding.UTF8.GetBytes(json), fields, typeIsEvent, onlyUnset: false, out var error).ShouldBeTrue(error.Message);
        return fields;
    }

    [Fact]
    public void TryReadObject_TypeInASocketIOArgument_StandsForEvent()
    {
        Read("""{"channel":"org:acme","type":"task.done"}""", typeIsEvent: true).PublicationType.ShouldBe("task.done");
    }

    [Fact]
    public void TryReadObject_TypeOutsideASocketIOArgument_IsNotTheEvent()
    {
        Read("""{"channel":"org:acme","type":"task.done"}""", typeIsEvent: false).PublicationType.ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"type":"alias","event":"real"}""")]
    [InlineData("""{"event":"real","type":"alias"}""")]
    public void TryReadObject_EventAndType_EventWinsInEitherOrder(string json)
    {
        Read(json, typeIsEvent: true).PublicationType.ShouldBe("real");
    }
}
