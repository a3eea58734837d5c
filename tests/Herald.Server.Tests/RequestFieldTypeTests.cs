using System.Net.WebSockets;
using Xunit.Abstractions;

namespace Herald.Server.Tests;

/// <summary>
/// Every request of both protocols × every field it takes × each wrong JSON value, generated from
/// one field table: the answer is the documented error (or, where docs/protocol.md says the value
/// means "absent" or is ignored, the request's normal answer), it answers the request that caused
/// it, and the connection or Engine.IO session goes on working afterwards.
/// </summary>
/// <remarks>
/// <para>Where docs/protocol.md leaves the Socket.IO answer open (deep nesting inside an event
/// argument or a CONNECT's auth, the shape of <c>info</c>), the native behaviour is asserted for
/// both protocols.</para>
/// <para>One server serves the class; one native connection and one Socket.IO session are reused
/// from case to case and replaced only after a case that failed (or that ended them), so that
/// nothing a broken case left behind reaches the next one.</para>
/// </remarks>
public sealed class RequestFieldTypeTests(RequestFieldTypeTests.Fixture fixture) : IClassFixture<RequestFieldTypeTests.Fixture>
{
    public enum Wire
    {
        Native,
        SocketIO,
    }

    /// <summary>Where a case runs: on the shared authenticated connection, on one that has not authenticated, or on a fresh one (connect).</summary>
    public enum Kind
    {
        Authenticated,
        Unauthenticated,
        Connect,
        ConnectWithQueryToken,
    }

    /// <summary>What the server must do with a wrong value.</summary>
    private enum Rule
    {
        /// <summary>Error 107.</summary>
        BadRequest,

        /// <summary>Treated as not sent (a documented <c>null</c>, or a field Socket.IO documents as ignored): the normal answer.</summary>
        Absent,
    }

    /// <summary>A JSON value to put where a field goes.</summary>
    private sealed record Value(string Name, string Json)
    {
        public override string ToString() => Name;
    }

    private static readonly Value AString = new("a string", "\"5\"");
    private static readonly Value ANumber = new("a number", "5");
    private static readonly Value AnObject = new("an object", "{\"a\":1}");
    private static readonly Value AnArray = new("an array", "[\"a\"]");
    private static readonly Value ANumberArray = new("an array of numbers", "[1]");
    private static readonly Value Null = new("null", "null");
    private static readonly Value True = new("true", "true");
    private static readonly Value Fraction = new("1.5", "1.5");
    private static readonly Value Exponent = new("1e3", "1e3");
    private static readonly Value Huge = new("1e400", "1e400");
    private static readonly Value Big = new("2^64", "18446744073709551616");
    private static readonly Value Negative = new("-1", "-1");
    private static readonly Value LongString = new("a 129-byte string", "\"" + new string('x', 129) + "\"");
    private static readonly Value Deep = new("100 nested arrays", new string('[', 100) + new string(']', 100));

    private static readonly Value[] NotAString = [ANumber, AnObject, AnArray, Null, True, Huge, Big, Deep];
    private static readonly Value[] NotAnInteger = [AString, AnObject, AnArray, Null, True, Fraction, Huge, Big, Negative, Deep];
    private static readonly Value[] NotAnObject = [AString, ANumber, AnArray, Null, True, Huge, Big, Deep];
    private static readonly Value[] NotAFilterValue = [ANumber, AnObject, ANumberArray, Null, True, Huge, Deep];
    private static readonly Value[] NotAnId = [AnObject, AnArray, True, Fraction, Exponent, Huge, Big, LongString, Deep, Null];
    private static readonly Value[] NotAnArgument = [AString, ANumber, AnArray, Null, True, Deep];

    /// <summary>
    /// A field of a request: the member of the request's JSON object it lives in, that member's
    /// JSON with <c>§</c> where the value goes, the wrong values to try, what each must get, and
    /// the words one of which a 107 message must contain (it names the field).
    /// </summary>
    private sealed record Field(string Name, string Member, string Template, Value[] Values, Func<Wire, Value, Rule> Rule, string[] Keywords, string[]? Removes = null);

    private static Rule Strict(Wire wire, Value value) => Rule.BadRequest;

    private static Rule NullIsAbsent(Wire wire, Value value) => value == Null ? Rule.Absent : Rule.BadRequest;

    /// <summary>
    /// A limit that is not an integer, or an integer outside 1–1000 (-1, 2^64), is an error on
    /// both protocols; <c>null</c> is absent. Like ids, 1e400 is not an integer.
    /// </summary>
    private static Rule LimitRule(Wire wire, Value value) => NullIsAbsent(wire, value);

    private static readonly Field Id = new("id", "id", "§", NotAnId, NullIsAbsent, ["id"]);
    private static readonly Field Argument = new("first argument", "", "§", NotAnArgument, Strict, ["argument"]);
    private static readonly Field Channel = new("channel", "channel", "§", NotAString, Strict, ["channel"]);
    private static readonly Field Filters = new("filters", "filters", "§", NotAnObject, NullIsAbsent, ["filter"]);
    private static readonly Field FilterValue = new("filters.status", "filters", "{\"status\":§}", NotAFilterValue, Strict, ["filter"]);
    private static readonly Field Since = new("since", "since", "§", NotAnObject, NullIsAbsent, ["since"]);
    private static readonly Field SubscribeOffset = new("since.offset", "since", "{\"offset\":§,\"epoch\":\"00000000\"}", NotAnInteger, Strict, ["since"]);
    private static readonly Field HistoryOffset = new("since.offset", "since", "{\"offset\":§}", NotAnInteger, Strict, ["since"]);
    private static readonly Field Epoch = new("since.epoch", "since", "{\"offset\":0,\"epoch\":§}", NotAString, Strict, ["since"]);
    private static readonly Field Info = new("info", "info", "§", NotAnObject, NullIsAbsent, ["info"]);
    private static readonly Field Limit = new("limit", "limit", "§", NotAnInteger, LimitRule, ["limit"]);
    private static readonly Field Event = new("event", "event", "§", NotAString, Strict, ["event"]);
    private static readonly Field TypeAlias = new("type (alias of event)", "type", "§", NotAString, Strict, ["event", "type"], ["event"]);
    private static readonly Field Data = new("data", "data", "§", [Deep], Strict, []);
    private static readonly Field Tags = new("tags", "tags", "§", NotAnObject, NullIsAbsent, ["tag"]);
    private static readonly Field TagValue = new("tags.a", "tags", "{\"a\":§}", NotAString, Strict, ["tag"]);
    private static readonly Field Key = new("key", "key", "§", NotAString, Strict, ["key"]);
    private static readonly Field IdempotencyKey = new("idempotencyKey", "idempotencyKey", "§", NotAString, Strict, ["idempotencyKey"]);
    private static readonly Field Token = new("token", "token", "§", NotAString, Strict, ["token"]);
    private static readonly Field DataToken = new("data.token", "data", "{\"token\":§}", NotAString, Strict, ["token"], ["token"]);

    /// <summary>A request type: its name on the wire (native type or Socket.IO event), the namespace of its channel, its success answer, whether it needs a subscription first.</summary>
    private sealed record RequestType(string Name, string? Namespace, string Success, bool NeedsSubscription);

    private static readonly RequestType[] NativeRequests =
    [
        new("connect", null, "connected", false),
        new("ping", null, "pong", false),
        new("subscribe", "org", "subscribed", false),
        new("unsubscribe", "org", "unsubscribed", true),
        new("update_filter", "org", "filter_updated", true),
        new("request_history", "org", "history", false),
        new("presence", "workspace", "presence", false),
        new("publish", "chat", "published", false),
    ];

    private static readonly RequestType[] SocketIORequests =
    [
        new("subscribe", "org", "ok", false),
        new("unsubscribe", "org", "ok", true),
        new("update_filter", "org", "ok", true),
        new("history", "org", "ok", false),
        new("request_history", "org", "ok", false),
        new("presence", "workspace", "ok", false),
        new("publish", "chat", "ok", false),
    ];

    private static IEnumerable<Field> FieldsOf(Wire wire, RequestType request)
    {
        yield return wire == Wire.Native ? Id : Argument;
        switch (request.Name)
        {
            case "connect":
                yield return Token;
                yield return DataToken;
                yield break;
            case "ping":
                yield break;
        }
        yield return Channel;
        switch (request.Name)
        {
            case "subscribe":
                yield return Filters;
                yield return FilterValue;
                yield return Since;
                yield return SubscribeOffset;
                yield return Epoch;
                yield return Info;
                break;
            case "update_filter":
                yield return Filters;
                yield return FilterValue;
                break;
            case "request_history" or "history":
                yield return Since;
                yield return HistoryOffset;
                yield return Epoch;
                yield return Limit;
                break;
            case "publish":
                yield return Event;
                if (wire == Wire.SocketIO)
                {
                    yield return TypeAlias;
                }
                yield return Data;
                yield return Tags;
                yield return TagValue;
                yield return Key;
                yield return IdempotencyKey;
                break;
        }
    }

    private static readonly string ValidToken = TestTokens.Hs256("u_connect", "acme", TimeSpan.FromDays(1));

    private static List<KeyValuePair<string, string>> BaseMembers(RequestType request, string channel)
    {
        var quoted = JsonSerializer.Serialize(channel);
        return request.Name switch
        {
            "connect" => [new("token", JsonSerializer.Serialize(ValidToken))],
            "ping" => [],
            "update_filter" => [new("channel", quoted), new("filters", "{\"status\":[\"a\"]}")],
            "publish" => [new("channel", quoted), new("event", "\"chat.message\""), new("data", "{\"text\":\"hi\"}")],
            _ => [new("channel", quoted)],
        };
    }

    /// <summary>The answer a case expects: an error code (null: the request's success answer), words of its message, and whether it carries the request's id.</summary>
    private sealed record Expectation(int? Code, string[] Keywords, bool CarriesId);

    /// <summary>One row of the table, with the exact text it sends.</summary>
    private sealed record Case(string Name, Wire Wire, Kind Kind, RequestType Request, string Channel, string IdJson, string Body, Expectation Expect)
    {
        /// <summary>The native frame, id first so that even a frame that cannot be parsed gets its id back.</summary>
        public string NativeFrame => $"{{\"id\":{IdJson},\"type\":\"{Request.Name}\"{(Body.Length == 0 ? "" : "," + Body)}}}";

        /// <summary>The Socket.IO event's arguments: <c>["event",argument]</c>.</summary>
        public string SocketIOArguments => $"[\"{Request.Name}\",{Body}]";
    }

    private static readonly Dictionary<string, Case> Cases = BuildCases();

    public static TheoryData<CaseName> NativeCases { get; } = Names(Wire.Native);

    public static TheoryData<CaseName> SocketIOCases { get; } = Names(Wire.SocketIO);

    private static TheoryData<CaseName> Names(Wire wire)
    {
        var data = new TheoryData<CaseName>();
        foreach (var name in Cases.Values.Where(c => c.Wire == wire).Select(c => c.Name))
        {
            data.Add(new CaseName(name));
        }
        return data;
    }

    /// <summary>A row's name as the theory's argument: shown whole (a string argument would be cut at 50 characters), and serializable so that every row is its own test.</summary>
    public sealed class CaseName : IXunitSerializable
    {
        public CaseName()
        {
        }

        public CaseName(string value) => Value = value;

        public string Value { get; private set; } = "";

        public void Deserialize(IXunitSerializationInfo info) => Value = info.GetValue<string>(nameof(Value));

        public void Serialize(IXunitSerializationInfo info) => info.AddValue(nameof(Value), Value);

        public override string ToString() => Value;
    }

    private static Dictionary<string, Case> BuildCases()
    {
        var cases = new Dictionary<string, Case>(StringComparer.Ordinal);
        var number = 0;
        void Add(string name, Wire wire, Kind kind, RequestType request, Field field, Value value, Expectation expect, string? channel = null)
        {
            number++;
            var own = request.Namespace switch
            {
                null => "",
                "chat" => $"chat:c{number}",
                var ns => $"{ns}:acme/c{number}",
            };
            var members = BaseMembers(request, channel ?? own);
            members.RemoveAll(m => field.Removes?.Contains(m.Key) == true);
            var idJson = $"\"n{number}\"";
            string body;
            if (field == Id)
            {
                idJson = value.Json;
                body = Join(members);
            }
            else if (field == Argument)
            {
                body = value.Json;
            }
            else
            {
                var index = members.FindIndex(m => m.Key == field.Member);
                var member = new KeyValuePair<string, string>(field.Member, field.Template.Replace("§", value.Json, StringComparison.Ordinal));
                if (index < 0)
                {
                    members.Add(member);
                }
                else
                {
                    members[index] = member;
                }
                body = Join(members);
            }
            if (wire == Wire.SocketIO && field != Argument)
            {
                body = "{" + body + "}";
            }
            var prefix = wire == Wire.Native ? "native" : "socket.io";
            var full = $"{prefix} {request.Name} {field.Name} = {value.Name}{name}";
            cases.Add(full, new Case(full, wire, kind, request, own, idJson, body, expect));
        }

        Expectation Expect(Wire wire, Field field, Value value) =>
            field.Rule(wire, value) == Rule.BadRequest
                ? new Expectation(107, value == Deep ? [] : field.Keywords, field != Id)
                : new Expectation(null, [], field != Id);

        foreach (var wire in new[] { Wire.Native, Wire.SocketIO })
        {
            foreach (var request in wire == Wire.Native ? NativeRequests : SocketIORequests)
            {
                var kind = request.Name == "connect" ? Kind.Connect : Kind.Authenticated;
                foreach (var field in FieldsOf(wire, request))
                {
                    foreach (var value in field.Values)
                    {
                        Add("", wire, kind, request, field, value, Expect(wire, field, value));
                    }
                }
                if (request.Namespace is null)
                {
                    continue;
                }
                // Order of checks: a field of the wrong shape gets 107 before the channel is looked at.
                foreach (var field in FieldsOf(wire, request).Where(f => f != Id && f != Argument && f != Channel))
                {
                    if (field.Values.FirstOrDefault(v => v != Deep && field.Rule(wire, v) == Rule.BadRequest) is not { } value)
                    {
                        continue;
                    }
                    foreach (var channel in new[] { "ORG:acme", "nope:acme/c", "org:globex/c" })
                    {
                        Add($", channel '{channel}'", wire, Kind.Authenticated, request, field, value, Expect(wire, field, value), channel);
                    }
                }
                // Before authentication too, the shape is checked first: 107, not 101.
                if (wire == Wire.Native)
                {
                    foreach (var field in FieldsOf(wire, request).Where(f => f != Id))
                    {
                        if (field.Values.FirstOrDefault(v => v != Deep && field.Rule(wire, v) == Rule.BadRequest) is not { } value)
                        {
                            continue;
                        }
                        Add(", before connect", wire, Kind.Unauthenticated, request, field, value, Expect(wire, field, value));
                    }
                }
            }
        }

        // Socket.IO's CONNECT: auth.token counts only when it is a string, otherwise the handshake's
        // token applies, and without one the CONNECT is refused with 101. Deep nesting is answered as natively: 107.
        var connect = new RequestType("connect", null, "40", false);
        foreach (var value in NotAString)
        {
            Add("", Wire.SocketIO, Kind.Connect, connect, Token, value, new Expectation(value == Deep ? 107 : 101, [], false));
            if (value != Deep)
            {
                Add(", ?token= in the handshake", Wire.SocketIO, Kind.ConnectWithQueryToken, connect, Token, value, new Expectation(null, [], false));
            }
        }
        return cases;
    }

    private static string Join(List<KeyValuePair<string, string>> members) =>
        string.Join(",", members.Select(m => $"{JsonSerializer.Serialize(m.Key)}:{m.Value}"));

    [Theory]
    [MemberData(nameof(NativeCases))]
    public async Task Native(CaseName name)
    {
        var c = Cases[name.Value];
        var client = c.Kind switch
        {
            Kind.Authenticated => await fixture.NativeAsync(),
            Kind.Unauthenticated => await fixture.UnauthenticatedAsync(),
            _ => await fixture.Server.ConnectAsync(),
        };
        try
        {
            if (c.Request.NeedsSubscription && c.Kind == Kind.Authenticated)
            {
                (await client.RequestAsync("subscribe", c.Channel)).Type().ShouldBe("subscribed");
            }
            var frame = c.NativeFrame;
            await client.SendTextAsync(frame);
            JsonElement answer;
            try
            {
                answer = await client.ReceiveAsync();
            }
            catch (InvalidOperationException)
            {
                var (status, description) = await client.WaitForCloseAsync();
                throw new ShouldAssertException($"{Shorten(frame)}: the connection closed ({status} {description}) instead of answering");
            }
            var context = $"{Shorten(frame)} was answered {Shorten(answer.GetRawText())}";
            if (c.Expect.Code is { } code)
            {
                answer.Type().ShouldBe("error", context);
                answer.Code().ShouldBe(code, context);
                ShouldName(answer.Str("message"), c.Expect.Keywords, context);
            }
            else
            {
                answer.Type().ShouldBe(c.Request.Success, context);
            }
            if (c.Expect.CarriesId)
            {
                answer.TryGetProperty("id", out var id).ShouldBeTrue(context);
                id.GetRawText().ShouldBe(c.IdJson, context);
            }
            else
            {
                answer.TryGetProperty("id", out _).ShouldBeFalse(context);
            }
            // Only the request was bad: the connection still answers.
            (await client.RequestAsync("ping")).Type().ShouldBe("pong", $"after {Shorten(frame)}");
            if (c.Kind == Kind.Connect && c.Expect.Code is not null)
            {
                (await client.RequestAsync("connect", extra: new { token = ValidToken })).Type().ShouldBe("connected", $"after {Shorten(frame)}");
            }
        }
        catch
        {
            if (c.Kind != Kind.Connect)
            {
                await fixture.DiscardAsync(client);
            }
            throw;
        }
        finally
        {
            if (c.Kind == Kind.Connect)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Theory]
    [MemberData(nameof(SocketIOCases))]
    public async Task SocketIO(CaseName name)
    {
        var c = Cases[name.Value];
        if (c.Kind is Kind.Connect or Kind.ConnectWithQueryToken)
        {
            await SocketIOConnectAsync(c);
            return;
        }
        var client = await fixture.SocketIOAsync();
        try
        {
            if (c.Request.NeedsSubscription)
            {
                (await client.EmitWithAckAsync("subscribe", JsonSerializer.Serialize(new { channel = c.Channel }))).GetProperty("ok").GetBoolean().ShouldBeTrue();
            }
            var ackId = client.NextAckId();
            var packet = $"42{ackId}{c.SocketIOArguments}";
            await client.SendAsync(packet);
            JsonElement ack;
            try
            {
                ack = await client.WaitForAckAsync(ackId);
            }
            catch (InvalidOperationException)
            {
                throw new ShouldAssertException($"{Shorten(packet)}: the Engine.IO session ended ({client.CloseReason}) instead of acking");
            }
            var context = $"{Shorten(packet)} was acked {Shorten(ack.GetRawText())}";
            ack.ValueKind.ShouldBe(JsonValueKind.Object, context);
            if (c.Expect.Code is { } code)
            {
                ack.GetProperty("ok").GetBoolean().ShouldBeFalse(context);
                var error = ack.GetProperty("error");
                error.GetProperty("code").GetInt32().ShouldBe(code, context);
                ShouldName(error.GetProperty("message").GetString()!, c.Expect.Keywords, context);
                ack.GetProperty("event").GetString().ShouldBe(c.Request.Name, context);
            }
            else
            {
                ack.GetProperty("ok").GetBoolean().ShouldBeTrue(context);
            }
            await ShouldStillWorkAsync(client, packet);
        }
        catch
        {
            await fixture.DiscardAsync(client);
            throw;
        }
    }

    private async Task SocketIOConnectAsync(Case c)
    {
        await using var client = await SocketIOTestClient.OpenAsync(fixture.Server, c.Kind == Kind.ConnectWithQueryToken ? ValidToken : null);
        var packet = "40" + c.Body;
        string answer;
        try
        {
            answer = await client.ConnectNamespaceAsync(c.Body);
        }
        catch (InvalidOperationException)
        {
            throw new ShouldAssertException($"{Shorten(packet)}: the Engine.IO session ended ({client.CloseReason}) instead of answering the CONNECT");
        }
        var context = $"{Shorten(packet)} was answered {Shorten(answer)}";
        if (c.Expect.Code is { } code)
        {
            answer.ShouldStartWith("44{", customMessage: context);
            var error = JsonDocument.Parse(answer[2..]).RootElement;
            error.GetProperty("data").GetProperty("code").GetInt32().ShouldBe(code, context);
            error.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace(context);
            // A refused CONNECT leaves the session open: a good one still connects.
            var retry = await client.ConnectNamespaceAsync(JsonSerializer.Serialize(new { token = ValidToken }));
            retry.ShouldStartWith("40{", customMessage: $"after {Shorten(packet)}");
        }
        else
        {
            answer.ShouldStartWith("40{", customMessage: context);
        }
        await ShouldStillWorkAsync(client, packet);
    }

    /// <summary>A following request with a valid argument still gets its ack, so the session is still open.</summary>
    private static async Task ShouldStillWorkAsync(SocketIOTestClient client, string after)
    {
        JsonElement ack;
        try
        {
            ack = await client.EmitWithAckAsync("presence", "{\"channel\":\"workspace:acme/alive\"}");
        }
        catch (InvalidOperationException)
        {
            throw new ShouldAssertException($"after {Shorten(after)} the Engine.IO session ended ({client.CloseReason})");
        }
        ack.GetProperty("ok").GetBoolean().ShouldBeTrue($"after {Shorten(after)}: {ack.GetRawText()}");
        client.IsOpen.ShouldBeTrue($"after {Shorten(after)}");
    }

    private static void ShouldName(string message, string[] keywords, string context)
    {
        message.ShouldNotBeNullOrWhiteSpace(context);
        if (keywords.Length > 0)
        {
            keywords.Any(k => message.Contains(k, StringComparison.Ordinal)).ShouldBeTrue($"the message should name the field ({string.Join(" or ", keywords)}): {context}");
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    /// <summary>The server and the connections the cases share; a connection is replaced when a case failed on it or it ended.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private WsClient? _native;
        private WsClient? _unauthenticated;
        private SocketIOTestClient? _socketIO;

        public TestServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            // Hundreds of requests on one connection: no rate limit, subscription limit or handshake timeout may interfere.
            ["Herald:Limits:MessageBurst"] = "1000000",
            ["Herald:Limits:MaxMessagesPerSecond"] = "1000000",
            ["Herald:Limits:MaxSubscriptionsPerConnection"] = "100000",
            ["Herald:Limits:MaxConnectionsPerUser"] = "1000000",
            ["Herald:Limits:HandshakeTimeoutSeconds"] = "3600",
            // A namespace clients may publish into, so that a valid publish succeeds.
            ["Herald:Namespaces:chat:Scope"] = "Public",
            ["Herald:Namespaces:chat:AllowPublish"] = "true",
            ["Herald:Namespaces:chat:HistorySize"] = "10",
        });

        public async Task<WsClient> NativeAsync()
        {
            if (_native is null || _native.Socket.State != WebSocketState.Open)
            {
                await DisposeAsync(_native);
                _native = await Server.ConnectUserAsync("u_native", "acme");
            }
            return _native;
        }

        public async Task<WsClient> UnauthenticatedAsync()
        {
            if (_unauthenticated is null || _unauthenticated.Socket.State != WebSocketState.Open)
            {
                await DisposeAsync(_unauthenticated);
                _unauthenticated = await Server.ConnectAsync();
            }
            return _unauthenticated;
        }

        public async Task<SocketIOTestClient> SocketIOAsync()
        {
            if (_socketIO is null || !_socketIO.IsOpen)
            {
                if (_socketIO is not null)
                {
                    await _socketIO.DisposeAsync();
                }
                _socketIO = await SocketIOTestClient.ConnectUserAsync(Server, "u_socketio", "acme");
            }
            return _socketIO;
        }

        /// <summary>Drops a connection a case failed on: what it still has to deliver must not reach the next case.</summary>
        public async Task DiscardAsync(WsClient client)
        {
            if (client == _native)
            {
                _native = null;
            }
            if (client == _unauthenticated)
            {
                _unauthenticated = null;
            }
            await client.DisposeAsync();
        }

        public async Task DiscardAsync(SocketIOTestClient client)
        {
            if (client == _socketIO)
            {
                _socketIO = null;
            }
            await client.DisposeAsync();
        }

        private static async Task DisposeAsync(WsClient? client)
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }

        public async Task DisposeAsync()
        {
            await DisposeAsync(_native);
            await DisposeAsync(_unauthenticated);
            if (_socketIO is not null)
            {
                await _socketIO.DisposeAsync();
            }
            await Server.DisposeAsync();
        }
    }
}
