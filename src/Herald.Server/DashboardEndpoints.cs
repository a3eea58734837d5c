using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Herald.Server;

/// <summary>
/// The web dashboard (built from <c>dashboard/</c> into the embedded folder <c>Dashboard/</c>): its
/// files as static files, <c>index.html</c> at <c>/</c> and for every other page of the app (an SPA
/// fallback), and at <c>/</c> the server's JSON description for a client that asks for JSON.
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>The embedded folder that holds the built dashboard.</summary>
    public const string Folder = "Dashboard";

    private const string IndexFile = "index.html";

    // Paths the fallback never answers with the page, so that a mistyped API path stays a 404.
    private static readonly string[] ServerPaths = ["/api", "/ws", "/sse", "/socket.io", "/openapi", "/health", "/ready", "/metrics"];

    // The page loads only its own files, and talks only to its own origin (the HTTP API and /ws).
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static void MapDashboard(this WebApplication app)
    {
        var files = new ManifestEmbeddedFileProvider(typeof(DashboardEndpoints).Assembly, Folder);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = context =>
            {
                // Built file names carry a content hash: they never change, so they are cached for good.
                var immutable = context.Context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal);
                context.Context.Response.Headers.CacheControl = immutable ? "public, max-age=31536000, immutable" : "no-cache";
                context.Context.Response.Headers.XContentTypeOptions = "nosniff";
            },
        });

        // Deep links into the app (/channels, /operations …) get the page when no endpoint matched: after routing,
        // so that the API's own 404 and 405 answers stay, and never for paths that look like files.
        app.Use((context, next) =>
        {
            var request = context.Request;
            if (context.GetEndpoint() is null && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
                && !IsServerPath(request.Path) && !Path.HasExtension(request.Path.Value) && !WantsJson(request))
            {
                return Index(context, files).ExecuteAsync(context);
            }
            return next(context);
        });

        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => WantsJson(context.Request)
            ? Results.Ok(new
            {
                name = "Herald",
                websocket = "/ws",
                socketIO = "/socket.io/",
                sse = "/sse?channel=…",
                openapi = "/openapi/v1.json",
                health = "/health",
                dashboard = "/",
            })
            : Index(context, files)).ExcludeFromDescription();
    }

    private static bool WantsJson(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return false;
        }
        var json = accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || a.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);
        var html = accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));
        return json && !html;
    }

    private static bool IsServerPath(PathString path) =>
        ServerPaths.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    private static IResult Index(HttpContext context, IFileProvider files)
    {
        var index = files.GetFileInfo(IndexFile);
        if (!index.Exists)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "this build of the server has no dashboard");
        }
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        return Results.Stream(index.CreateReadStream(), "text/html; charset=utf-8", lastModified: index.LastModified);
    }
}
