namespace Herald.SocketIO.ComplianceTests.Infrastructure;

/// <summary>The suites' chai assertions that C# has no one-liner for.</summary>
public static class Assertions
{
    /// <summary>
    /// The Engine.IO handshake: <c>0</c> then a JSON object with exactly the keys <c>sid</c>
    /// (a string), <c>upgrades</c>, <c>pingInterval</c> (300), <c>pingTimeout</c> (200) and
    /// <c>maxPayload</c> (1000000).
    /// </summary>
    public static void ShouldBeOpenPacket(this string content, params string[] upgrades)
    {
        content.ShouldStartWith("0");
        using var document = JsonDocument.Parse(content[1..]);
        var value = document.RootElement;
        value.ShouldHaveExactlyKeys("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
        value.GetProperty("sid").ValueKind.ShouldBe(JsonValueKind.String);
        value.GetProperty("upgrades").ValueKind.ShouldBe(JsonValueKind.Array);
        value.GetProperty("upgrades").EnumerateArray().Select(u => u.ValueKind == JsonValueKind.String ? u.GetString() : u.GetRawText()).ToArray().ShouldBe(upgrades);
        value.GetProperty("pingInterval").ShouldBeNumber(ComplianceHost.PingInterval);
        value.GetProperty("pingTimeout").ShouldBeNumber(ComplianceHost.PingTimeout);
        value.GetProperty("maxPayload").ShouldBeNumber(1000000);
    }

    /// <summary>A Socket.IO CONNECT answer's payload: exactly the key <c>sid</c>, a string.</summary>
    public static void ShouldBeConnectPayload(this string json)
    {
        using var document = JsonDocument.Parse(json);
        document.RootElement.ShouldHaveExactlyKeys("sid");
        document.RootElement.GetProperty("sid").ValueKind.ShouldBe(JsonValueKind.String);
    }

    /// <summary>chai's <c>to.have.all.keys(...)</c>: an object with these keys and no others.</summary>
    public static void ShouldHaveExactlyKeys(this JsonElement value, params string[] keys)
    {
        value.ValueKind.ShouldBe(JsonValueKind.Object);
        value.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray()
            .ShouldBe(keys.OrderBy(n => n, StringComparer.Ordinal).ToArray());
    }

    private static void ShouldBeNumber(this JsonElement value, int expected)
    {
        value.ValueKind.ShouldBe(JsonValueKind.Number);
        value.GetDouble().ShouldBe(expected);
    }

    /// <summary>chai's <c>eql(Uint8Array.from([...]).buffer)</c>: a binary frame with exactly these bytes.</summary>
    public static void ShouldBeBinary(this WebSocketMessage message, params byte[] bytes)
    {
        message.Type.ShouldBe(WebSocketMessageType.Binary, $"expected a binary frame, got {message}");
        message.Data.ShouldBe(bytes);
    }

    /// <summary>A text frame with exactly this content.</summary>
    public static void ShouldBeText(this WebSocketMessage message, string text)
    {
        message.Type.ShouldBe(WebSocketMessageType.Text, $"expected text \"{text}\", got {message}");
        message.Text.ShouldBe(text);
    }
}
