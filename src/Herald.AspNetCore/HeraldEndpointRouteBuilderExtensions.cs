using Herald.AspNetCore.Http;
using Herald.AspNetCore.Http.Contracts;
using Herald.AspNetCore.Transports;
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

        endpoints.MapGet("/health", ServerEndpoints.Health).WithTags("Server").Produces<HealthResponse>().WithSummary("Liveness: the process is up.");
        endpoints.MapGet("/ready", ServerEndpoints.ReadyAsync).WithTags("Server").Produces<ReadyResponse>().ProducesProblem(503)
            .WithSummary("Readiness: storage and broker reachable.");
        MetricsEndpoint.Map(endpoints);

        var api = endpoints.MapGroup("/api").RequireCors(HeraldServiceCollectionExtensions.CorsPolicy).WithTags("API")
            .AddEndpointFilter(HttpProblems.StorageFaultsAs503);
        MapPublish(api);
        api.MapGet("/history", HistoryEndpoints.GetAsync)
            .Produces<HistoryResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403)
            .WithSummary("A channel's history: publications after 'since' (an offset; with 'epoch' to detect lost history), or the newest 'limit' (user token, scoped; or any API key).");
        api.MapGet("/presence", PresenceEndpoints.GetAsync)
            .Produces<PresenceResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403)
            .WithSummary("Who is in a channel: users with their connection count and info (user token, scoped; or any API key).");
        MapOperations(api.MapGroup("/operations").WithTags("Operations"));
        MapNotifications(api.MapGroup("/notifications").WithTags("Notifications"));
        MapAdmin(api);
        return endpoints;
    }

    private static void MapPublish(RouteGroupBuilder api)
    {
        api.MapPost("/publish", PublishEndpoints.PublishAsync)
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Publish))
            .Accepts<PublishBody>(JsonBody.ContentType).Produces<PublishResponse>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(413).ProducesProblem(415)
            .WithSummary("Publish one event into a channel (API key, scope publish).");
        api.MapPost("/broadcast", PublishEndpoints.BroadcastAsync)
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Publish))
            .Accepts<BroadcastBody>(JsonBody.ContentType).Produces<BroadcastResponse>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(413).ProducesProblem(415)
            .WithSummary("Publish one event into many channels (API key, scope publish).");
    }

    private static void MapOperations(RouteGroupBuilder operations)
    {
        operations.MapPost("/", OperationEndpoints.CreateAsync)
            .Accepts<CreateOperationBody>(JsonBody.ContentType).Produces<OperationResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .WithSummary("Start an operation; 202 with its id and channel (user token, or API key scope operations).");
        operations.MapGet("/", OperationEndpoints.ListAsync)
            .Produces<OperationListResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403)
            .WithSummary("List operations: ?resource=…&status=active|all&limit=… (user token: own organisation; API key: org or resource).");
        operations.MapGet("/{id}", OperationEndpoints.GetAsync)
            .Produces<OperationResponse>().ProducesProblem(401).ProducesProblem(403).ProducesProblem(404)
            .WithSummary("Read one operation.");
        operations.MapMethods("/{id}", ["PATCH"], OperationEndpoints.UpdateAsync)
            .Accepts<UpdateOperationBody>(JsonBody.ContentType).Produces<OperationResponse>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415)
            .WithSummary("A worker's update (API key, scope operations).");
        operations.MapPost("/{id}/cancel", OperationEndpoints.CancelAsync)
            .Produces<OperationResponse>(StatusCodes.Status202Accepted).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Ask to cancel; the worker is told on the operation's channel and ends it as cancelled.");
        operations.MapPost("/{id}/retry", OperationEndpoints.RetryAsync)
            .Produces<OperationResponse>(StatusCodes.Status202Accepted).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Retry a failed operation as a new one (attempt + 1, retryOf).");
    }

    private static void MapNotifications(RouteGroupBuilder notifications)
    {
        notifications.MapPost("/", NotificationEndpoints.CreateAsync)
            .Accepts<CreateNotificationBody>(JsonBody.ContentType).Produces<NotificationResponse>(StatusCodes.Status201Created)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(413).ProducesProblem(415)
            .WithSummary("Send a notification to a user or an organisation (API key, scope publish).");
        notifications.MapGet("/", NotificationEndpoints.ListAsync)
            .Produces<InboxResponse>().ProducesProblem(400).ProducesProblem(401)
            .WithSummary("The token's user's inbox: {items, unread, nextCursor}; ?limit=&before=&unread=true.");
        notifications.MapPost("/read-all", NotificationEndpoints.MarkAllReadAsync)
            .Produces<UnreadCountResponse>().ProducesProblem(401).WithSummary("Mark every notification read.");
        notifications.MapPost("/{id}/read", NotificationEndpoints.MarkReadAsync)
            .Produces<NotificationUnreadResponse>().ProducesProblem(401).ProducesProblem(404).WithSummary("Mark one notification read.");
        notifications.MapDelete("/{id}", NotificationEndpoints.DismissAsync)
            .Produces<NotificationUnreadResponse>().ProducesProblem(401).ProducesProblem(404).WithSummary("Dismiss one notification.");
    }

    private static void MapAdmin(RouteGroupBuilder api)
    {
        api.MapGet("/channels", ServerEndpoints.Channels)
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Admin))
            .Produces<ChannelsResponse>().ProducesProblem(401).ProducesProblem(403)
            .WithSummary("Channels with subscribers on this node (API key, scope admin).");
        api.MapGet("/connections", ServerEndpoints.Connections)
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Admin))
            .Produces<ConnectionsResponse>().ProducesProblem(401).ProducesProblem(403)
            .WithSummary("This node's connections (?user= for one user's): client id, user, organisation, transport, channels (API key, scope admin).");
        api.MapGet("/stats", ServerEndpoints.StatsAsync)
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Admin))
            .Produces<StatsResponse>().ProducesProblem(401).ProducesProblem(403)
            .WithSummary("Connections, users, channels, subscriptions, messages in and out, dropped, of this node and of every node of the cluster (API key, scope admin).");
        api.MapPost("/users/{id}/disconnect", ServerEndpoints.DisconnectUserAsync)
            .AddEndpointFilterFactory((c, next) => HttpAuthentication.RequireApiKey(c, next, ApiKeyScope.Admin))
            .Produces<DisconnectResponse>().ProducesProblem(401).ProducesProblem(403)
            .WithSummary("Disconnect every connection of a user, on every node, with code 3504 (API key, scope admin).");
    }
}
