using System.Net;
using System.Net.Http.Json;

namespace Herald.Server.Tests;

/// <summary>The OpenAPI document describes every request body and every success answer of the HTTP API.</summary>
public sealed class OpenApiTests : IAsyncLifetime
{
    /// <summary>POST routes that take no body; any other POST, PUT or PATCH must describe one.</summary>
    private static readonly HashSet<string> Bodiless = new(StringComparer.Ordinal)
    {
        "post /api/operations/{id}/cancel",
        "post /api/operations/{id}/retry",
        "post /api/notifications/read-all",
        "post /api/notifications/{id}/read",
        "post /api/users/{id}/disconnect",
    };

    /// <summary>
    /// Answers that are not JSON: <c>/metrics</c> is Prometheus text, whose format its own
    /// specification describes (and whose exporter is being replaced).
    /// </summary>
    private static readonly HashSet<string> NotJson = new(StringComparer.Ordinal) { "get /metrics" };

    private TestServer _server = null!;
    private JsonElement _document;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _document = await _server.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private IEnumerable<(string Name, JsonElement Operation)> Operations() =>
        from path in _document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        where operation.Name is "get" or "post" or "put" or "patch" or "delete"
        select ($"{operation.Name} {path.Name.TrimEnd('/')}", operation.Value);

    [Fact]
    public void EveryOperationWithABody_DescribesItsSchema()
    {
        var missing = Operations()
            .Where(o => (o.Name.StartsWith("post ", StringComparison.Ordinal) || o.Name.StartsWith("put ", StringComparison.Ordinal) || o.Name.StartsWith("patch ", StringComparison.Ordinal))
                && !Bodiless.Contains(o.Name))
            .Where(o => !(o.Operation.TryGetProperty("requestBody", out var body) && HasJsonSchema(body)))
            .Select(o => o.Name)
            .ToList();
        missing.ShouldBeEmpty();
    }

    [Fact]
    public void EveryOperation_DescribesItsSuccessAnswer()
    {
        var operations = Operations().Where(o => !NotJson.Contains(o.Name)).ToList();
        operations.Count.ShouldBeGreaterThan(15);
        var missing = operations
            .Where(o => !o.Operation.GetProperty("responses").EnumerateObject().Any(r =>
                (r.Name.StartsWith('2') && HasJsonSchema(r.Value)) || (r.Name == "204" && !r.Value.TryGetProperty("content", out _))))
            .Select(o => o.Name)
            .ToList();
        missing.ShouldBeEmpty();
    }

    [Fact]
    public void BodySchemas_UseTheWireNames()
    {
        var schemas = _document.GetProperty("components").GetProperty("schemas");
        Properties(schemas, "PublishBody").ShouldBe(["channel", "type", "data", "tags", "key", "idempotencyKey"], ignoreOrder: true);
        Properties(schemas, "BroadcastBody").ShouldBe(["channels", "type", "data", "tags", "key", "idempotencyKey"], ignoreOrder: true);
        Properties(schemas, "CreateOperationBody").ShouldBe(["type", "resource", "parameters", "idempotencyKey", "org"], ignoreOrder: true);
        Properties(schemas, "UpdateOperationBody").ShouldBe(["status", "progress", "message", "error", "result"], ignoreOrder: true);
        Properties(schemas, "CreateNotificationBody").ShouldBe(["user", "org", "title", "message", "level", "link", "data"], ignoreOrder: true);
        Properties(schemas, "PublishResponse").ShouldBe(["id", "channel", "type", "timestamp", "offset", "epoch"], ignoreOrder: true);
    }

    [Fact]
    public async Task Document_IsServedAsJson()
    {
        using var response = await _server.Http.GetAsync("/openapi/v1.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
    }

    private static string[] Properties(JsonElement schemas, string name) =>
        schemas.GetProperty(name).GetProperty("properties").EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>A <c>content</c> with a JSON media type whose schema is a reference or says something.</summary>
    private static bool HasJsonSchema(JsonElement described) =>
        described.TryGetProperty("content", out var content)
        && content.EnumerateObject().Any(media => media.Name.Contains("json", StringComparison.Ordinal)
            && media.Value.TryGetProperty("schema", out var schema)
            && schema.ValueKind == JsonValueKind.Object
            && schema.EnumerateObject().Any());
}
