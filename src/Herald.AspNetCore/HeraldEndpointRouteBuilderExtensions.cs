using Herald.AspNetCore.Http;
using Herald.AspNetCore.Transports;
using Herald.Core;
using Herald.Core.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.AspNetCore;

/// <summary>Maps Herald's endpoints. Call <c>app.UseCors()</c> before it for cross-origin HTTP API calls.</summary>
public static class HeraldEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>/ws</c>, <c>/api/…</c>, <c>/health</c>, <c>/ready</c> and <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapHerald(this IEndpointRouteBuilder endpoints)
    {
        var transport = endpoints.ServiceProvider.GetRequiredService<WebSocketTransport>();
        endpoints.Map("/ws", transport.HandleAsync).ExcludeFromDescription();
        var socketIO = endpoints.ServiceProvider.GetRequiredService<Transports.SocketIO.SocketIOTransport>();
        endpoints.Map("/socket.io/", socketIO.HandleAsync).RequireCors(HeraldServiceCollectionExtensions.CorsPolicy).ExcludeFromDescription();
        var sse = endpoints.ServiceProvider.GetRequiredService<SseTransport>();
        endpoints.MapGet("/sse", sse.HandleAsync).RequireCors(HeraldServiceCollectionExtensions.CorsPolicy).ExcludeFromDescription();

        endpoints.MapGet("/health", ServerEndpoints.Health).WithTags("Server").WithSummary("Liveness: the process is up.");
        endpoints.MapGet("/ready", ServerEndpoints.ReadyAsync).WithTags("Server").WithSummary("Readiness: storage and broker reachable.");
        MetricsEndpoint.Map(endpoints);

        var api = endpoints.MapGroup("/api").RequireCors(HeraldServiceCollectionExtensions.CorsPolicy).WithTags("API");
        api.MapPost("/publish", PublishEndpoints.PublishAsync)
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Publish))
            .Produces<PublishEndpoints.PublishResponse>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(413).ProducesProblem(415)
            .WithSummary("Publish one event into a channel (API key, scope publish).")
            .WithDescription("Body: {\"channel\": string, \"type\": string, \"data\": any JSON, \"tags\"?: {string: string}, \"key\"?: string}.");
        api.MapPost("/broadcast", PublishEndpoints.BroadcastAsync)
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Publish))
            .Produces<PublishEndpoints.BroadcastResponse>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(413).ProducesProblem(415)
            .WithSummary("Publish one event into many channels (API key, scope publish).")
            .WithDescription("Body: {\"channels\": [string], \"type\": string, \"data\": any JSON, \"tags\"?: {string: string}, \"key\"?: string}.");
        api.MapGet("/history", HistoryEndpoints.GetAsync)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403)
            .WithSummary("A channel's history: publications after 'since' (an offset; with 'epoch' to detect lost history), or the newest 'limit' (user token, scoped; or any API key).");
        api.MapGet("/presence", PresenceEndpoints.GetAsync)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403)
            .WithSummary("Who is in a channel: users with their connection count and info (user token, scoped; or any API key).");

        var operations = api.MapGroup("/operations").WithTags("Operations");
        operations.MapPost("/", OperationEndpoints.CreateAsync)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .WithSummary("Start an operation: {type, resource, parameters?, idempotencyKey?}; 202 with its id and channel (user token, or API key scope operations).");
        operations.MapGet("/", OperationEndpoints.ListAsync)
            .WithSummary("List operations: ?resource=…&status=active|all&limit=… (user token: own organisation; API key: org or resource).");
        operations.MapGet("/{id}", OperationEndpoints.GetAsync).ProducesProblem(404).WithSummary("Read one operation.");
        operations.MapMethods("/{id}", ["PATCH"], OperationEndpoints.UpdateAsync)
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("A worker's update: {status?, progress?, message?, error?, result?} (API key, scope operations).");
        operations.MapPost("/{id}/cancel", OperationEndpoints.CancelAsync).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Ask to cancel; the worker is told on the operation's channel and ends it as cancelled.");
        operations.MapPost("/{id}/retry", OperationEndpoints.RetryAsync).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Retry a failed operation as a new one (attempt + 1, retryOf).");

        var notifications = api.MapGroup("/notifications").WithTags("Notifications");
        notifications.MapPost("/", NotificationEndpoints.CreateAsync)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403)
            .WithSummary("Send a notification: {user | org, title, message, level, link?, data?} (API key, scope publish).");
        notifications.MapGet("/", NotificationEndpoints.ListAsync).WithSummary("The token's user's inbox: {items, unread, nextCursor}; ?limit=&before=&unread=true.");
        notifications.MapPost("/read-all", NotificationEndpoints.MarkAllReadAsync).WithSummary("Mark every notification read.");
        notifications.MapPost("/{id}/read", NotificationEndpoints.MarkReadAsync).ProducesProblem(404).WithSummary("Mark one notification read.");
        notifications.MapDelete("/{id}", NotificationEndpoints.DismissAsync).ProducesProblem(404).WithSummary("Dismiss one notification.");

        api.MapGet("/channels", (Node node, string? prefix) => ServerEndpoints.Channels(node, prefix))
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Admin))
            .ProducesProblem(401).ProducesProblem(403)
            .WithSummary("Channels with subscribers on this node (API key, scope admin).");
        api.MapGet("/stats", (Node node) => ServerEndpoints.Stats(node))
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Admin))
            .ProducesProblem(401).ProducesProblem(403)
            .WithSummary("Connections, users, channels, subscriptions, messages in and out, dropped (API key, scope admin).");
        api.MapPost("/users/{id}/disconnect", ServerEndpoints.DisconnectUser)
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Admin))
            .ProducesProblem(401).ProducesProblem(403)
            .WithSummary("Disconnect every connection of a user with code 3504 (API key, scope admin).");
        return endpoints;
    }
}
