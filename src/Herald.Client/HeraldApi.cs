using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Herald.Client.Internal;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Presence;

namespace Herald.Client;

/// <summary>
/// Herald's HTTP API: publish and broadcast, history and presence, operations, notifications
/// and administration, with an API key (<c>X-API-Key</c>) or a user token (<c>Bearer</c>).
/// </summary>
/// <remarks>
/// Thread-safe: one instance may serve many callers at once. A refused call throws
/// <see cref="HeraldApiException"/>; a server that cannot be reached throws
/// <see cref="HttpRequestException"/>. Every publish carries an idempotency key (one is
/// generated when none is given), so a retried publish is answered with the first publication
/// instead of publishing twice; <see cref="IsIdempotent"/> tells a retry policy which requests
/// are safe to send again.
/// </remarks>
public sealed class HeraldApi
{
    private static readonly HttpRequestOptionsKey<bool> IdempotentKey = new("Herald.Idempotent");
    private readonly HttpClient _http;
    private readonly HeraldApiOptions _options;

    /// <summary>Uses <paramref name="http"/>; its BaseAddress, or else <see cref="HeraldApiOptions.BaseAddress"/>, names the server.</summary>
    public HeraldApi(HttpClient http, HeraldApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
        if (_http.BaseAddress is null)
        {
            _http.BaseAddress = options.BaseAddress ?? throw new ArgumentException("HeraldApiOptions.BaseAddress is required when the HttpClient has no BaseAddress", nameof(options));
        }
    }

    /// <summary>True for a request that may be sent again after a transient failure: a GET, or a request marked so (publishes, which carry an idempotency key).</summary>
    public static bool IsIdempotent(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Method == HttpMethod.Get || (request.Options.TryGetValue(IdempotentKey, out var marked) && marked);
    }

    // ---- Publishing ----

    /// <summary>Publishes one event into <paramref name="channel"/>. Without <paramref name="idempotencyKey"/> a new one is generated, so retries never publish twice.</summary>
    public Task<PublishResult> PublishAsync(string channel, string type, JsonElement data, IReadOnlyDictionary<string, string>? tags = null, string? key = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var body = new PublishBody(channel, type, data, tags, key, idempotencyKey ?? NewIdempotencyKey());
        return SendAsync(HttpMethod.Post, "api/publish", Json(body, HeraldJsonContext.Default.PublishBody), HeraldJsonContext.Default.PublishResult, idempotent: true, cancellationToken);
    }

    /// <summary>Publishes data given as JSON text (<paramref name="dataJson"/>).</summary>
    public Task<PublishResult> PublishAsync(string channel, string type, string dataJson, IReadOnlyDictionary<string, string>? tags = null, string? key = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        using var document = JsonDocument.Parse(dataJson);
        return PublishAsync(channel, type, document.RootElement.Clone(), tags, key, idempotencyKey, cancellationToken);
    }

    /// <summary>Publishes one event into every channel of <paramref name="channels"/> (1–1000); all are validated before any is published.</summary>
    public Task<BroadcastResult> BroadcastAsync(IReadOnlyList<string> channels, string type, JsonElement data, IReadOnlyDictionary<string, string>? tags = null, string? key = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var body = new BroadcastBody(channels, type, data, tags, key, idempotencyKey ?? NewIdempotencyKey());
        return SendAsync(HttpMethod.Post, "api/broadcast", Json(body, HeraldJsonContext.Default.BroadcastBody), HeraldJsonContext.Default.BroadcastResult, idempotent: true, cancellationToken);
    }

    // ---- History and presence ----

    /// <summary>One page of a channel's history: after <paramref name="since"/> oldest first (within <paramref name="epoch"/> when given), or the newest <paramref name="limit"/> without it.</summary>
    public async Task<HistoryPage> GetHistoryAsync(string channel, long? since = null, string? epoch = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder("api/history?channel=").Append(Uri.EscapeDataString(channel));
        if (since is { } s)
        {
            query.Append(CultureInfo.InvariantCulture, $"&since={s}");
            if (epoch is not null)
            {
                query.Append("&epoch=").Append(Uri.EscapeDataString(epoch));
            }
        }
        if (limit is { } l)
        {
            query.Append(CultureInfo.InvariantCulture, $"&limit={l}");
        }
        using var document = await GetDocumentAsync(query.ToString(), cancellationToken).ConfigureAwait(false);
        return PublicationReader.ReadHistory(document.RootElement);
    }

    /// <summary>Every publication after <paramref name="since"/>, paging forward while the server says more follow.</summary>
    public async IAsyncEnumerable<Publication> ReadHistoryAsync(string channel, long since = 0, string? epoch = null, int? pageSize = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var page = await GetHistoryAsync(channel, since, epoch, pageSize, cancellationToken).ConfigureAwait(false);
            foreach (var publication in page.Publications)
            {
                since = publication.Offset;
                epoch ??= publication.Epoch;
                yield return publication;
            }
            if (!page.HasMore || page.Publications.Count == 0)
            {
                yield break;
            }
        }
    }

    /// <summary>Who is in a channel whose namespace keeps presence, over every node.</summary>
    public async Task<IReadOnlyList<PresenceEntry>> GetPresenceAsync(string channel, CancellationToken cancellationToken = default)
    {
        using var document = await GetDocumentAsync("api/presence?channel=" + Uri.EscapeDataString(channel), cancellationToken).ConfigureAwait(false);
        return PublicationReader.ReadUsers(document.RootElement);
    }

    // ---- Administration ----

    /// <summary>The counters of the answering node, of every node and their totals (scope <c>admin</c>).</summary>
    public Task<ServerStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "api/stats", null, HeraldJsonContext.Default.ServerStats, idempotent: true, cancellationToken);

    /// <summary>The channels with subscribers on the answering node, in ordinal order (scope <c>admin</c>).</summary>
    public async Task<IReadOnlyList<ChannelInfo>> GetChannelsAsync(string? prefix = null, CancellationToken cancellationToken = default)
    {
        var path = prefix is null ? "api/channels" : "api/channels?prefix=" + Uri.EscapeDataString(prefix);
        var list = await SendAsync(HttpMethod.Get, path, null, HeraldJsonContext.Default.ChannelListBody, idempotent: true, cancellationToken).ConfigureAwait(false);
        return list.Channels;
    }

    /// <summary>Disconnects every connection of <paramref name="user"/> on every node (code 3504, no reconnect; scope <c>admin</c>).</summary>
    public Task<DisconnectResult> DisconnectUserAsync(string user, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/users/{Uri.EscapeDataString(user)}/disconnect", null, HeraldJsonContext.Default.DisconnectResult, idempotent: false, cancellationToken);

    // ---- Operations ----

    /// <summary>Starts an operation; with <paramref name="idempotencyKey"/> a repeat answers the operation created under it.</summary>
    public Task<Operation> CreateOperationAsync(string type, string resource, JsonElement? parameters = null, string? idempotencyKey = null, string? org = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/operations", Json(new CreateOperationBody(type, resource, parameters, idempotencyKey, org), HeraldJsonContext.Default.CreateOperationBody),
            HeraldJsonContext.Default.Operation, idempotent: idempotencyKey is not null, cancellationToken);

    /// <summary>One operation.</summary>
    public Task<Operation> GetOperationAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, OperationPath(id), null, HeraldJsonContext.Default.Operation, idempotent: true, cancellationToken);

    /// <summary>Operations, newest first: of <paramref name="org"/> (API keys) or of <paramref name="resource"/>; only pending and running ones with <paramref name="activeOnly"/>.</summary>
    public async Task<IReadOnlyList<Operation>> ListOperationsAsync(string? org = null, string? resource = null, bool activeOnly = false, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder("api/operations?status=").Append(activeOnly ? "active" : "all");
        if (org is not null)
        {
            query.Append("&org=").Append(Uri.EscapeDataString(org));
        }
        if (resource is not null)
        {
            query.Append("&resource=").Append(Uri.EscapeDataString(resource));
        }
        if (limit is { } l)
        {
            query.Append(CultureInfo.InvariantCulture, $"&limit={l}");
        }
        var list = await SendAsync(HttpMethod.Get, query.ToString(), null, HeraldJsonContext.Default.OperationList, idempotent: true, cancellationToken).ConfigureAwait(false);
        return list.Items;
    }

    /// <summary>A worker's update (API key, scope <c>operations</c>). The answer carries <see cref="Operation.CancelRequested"/>.</summary>
    public Task<Operation> UpdateOperationAsync(string id, OperationUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Patch, OperationPath(id), Json(update, HeraldJsonContext.Default.OperationUpdate), HeraldJsonContext.Default.Operation, idempotent: false, cancellationToken);

    /// <summary>Marks the operation running with <paramref name="progress"/> (0–100, never lower than before) and an optional message.</summary>
    public Task<Operation> ReportProgressAsync(string id, int progress, string? message = null, CancellationToken cancellationToken = default) =>
        UpdateOperationAsync(id, new OperationUpdate { Status = OperationStatus.Running, Progress = progress, Message = message }, cancellationToken);

    /// <summary>Completes the operation (progress becomes 100) with an optional result.</summary>
    public Task<Operation> CompleteOperationAsync(string id, JsonElement? result = null, string? message = null, CancellationToken cancellationToken = default) =>
        UpdateOperationAsync(id, new OperationUpdate { Status = OperationStatus.Completed, Result = result, Message = message }, cancellationToken);

    /// <summary>Fails the operation with <paramref name="error"/>.</summary>
    public Task<Operation> FailOperationAsync(string id, string error, CancellationToken cancellationToken = default) =>
        UpdateOperationAsync(id, new OperationUpdate { Status = OperationStatus.Failed, Error = error }, cancellationToken);

    /// <summary>The worker's answer to a cancel request: the operation ends as cancelled.</summary>
    public Task<Operation> MarkCancelledAsync(string id, string? message = null, CancellationToken cancellationToken = default) =>
        UpdateOperationAsync(id, new OperationUpdate { Status = OperationStatus.Cancelled, Message = message }, cancellationToken);

    /// <summary>Asks the operation's worker to stop (sets <c>cancelRequested</c>); the worker changes the status.</summary>
    public Task<Operation> CancelOperationAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, OperationPath(id) + "/cancel", null, HeraldJsonContext.Default.Operation, idempotent: false, cancellationToken);

    /// <summary>Starts a failed operation again as a new one (<c>attempt</c> + 1, <c>retryOf</c> set).</summary>
    public Task<Operation> RetryOperationAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, OperationPath(id) + "/retry", null, HeraldJsonContext.Default.Operation, idempotent: false, cancellationToken);

    /// <summary>
    /// Completes when someone asked to cancel the operation, or when it has ended, looking every
    /// <see cref="HeraldApiOptions.CancelPollInterval"/>. Answers the operation as last read.
    /// </summary>
    public async Task<Operation> WhenCancelRequestedAsync(string id, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var operation = await GetOperationAsync(id, cancellationToken).ConfigureAwait(false);
            if (operation.CancelRequested || operation.IsFinal)
            {
                return operation;
            }
            await Task.Delay(_options.CancelPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A token that is cancelled once someone asks to cancel the operation (polled as
    /// <see cref="WhenCancelRequestedAsync"/> does) or when <paramref name="stopping"/> is; pass it
    /// to the work. Dispose the source when the work is done, which stops the polling.
    /// </summary>
    public CancellationTokenSource CancellationFor(string id, CancellationToken stopping = default)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _ = WatchAsync();
        return source;

        async Task WatchAsync()
        {
            try
            {
                await WhenCancelRequestedAsync(id, source.Token).ConfigureAwait(false);
                await source.CancelAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
            catch (HttpRequestException)
            {
                // The server is unreachable: the work goes on, and its own updates will fail.
            }
            catch (HeraldApiException)
            {
            }
        }
    }

    // ---- Notifications ----

    /// <summary>Sends a notification to a user's or an organisation's inbox (API key, scope <c>publish</c>).</summary>
    public Task<Notification> SendNotificationAsync(NotificationRequest notification, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/notifications", Json(notification, HeraldJsonContext.Default.NotificationRequest), HeraldJsonContext.Default.Notification, idempotent: false, cancellationToken);

    /// <summary>The token's user's inbox, newest first (user token only).</summary>
    public Task<NotificationPage> ListNotificationsAsync(int? limit = null, string? before = null, bool unreadOnly = false, CancellationToken cancellationToken = default)
    {
        var query = new StringBuilder("api/notifications?unread=").Append(unreadOnly ? "true" : "false");
        if (limit is { } l)
        {
            query.Append(CultureInfo.InvariantCulture, $"&limit={l}");
        }
        if (before is not null)
        {
            query.Append("&before=").Append(Uri.EscapeDataString(before));
        }
        return SendAsync(HttpMethod.Get, query.ToString(), null, HeraldJsonContext.Default.NotificationPage, idempotent: true, cancellationToken);
    }

    /// <summary>Marks one notification read for the token's user.</summary>
    public Task<UnreadCount> MarkNotificationReadAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"api/notifications/{Uri.EscapeDataString(id)}/read", null, HeraldJsonContext.Default.UnreadCount, idempotent: false, cancellationToken);

    /// <summary>Marks every notification read for the token's user.</summary>
    public Task<UnreadCount> MarkAllNotificationsReadAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "api/notifications/read-all", null, HeraldJsonContext.Default.UnreadCount, idempotent: false, cancellationToken);

    /// <summary>Dismisses one notification for the token's user.</summary>
    public Task<UnreadCount> DismissNotificationAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"api/notifications/{Uri.EscapeDataString(id)}", null, HeraldJsonContext.Default.UnreadCount, idempotent: false, cancellationToken);

    // ---- Plumbing ----

    private static string OperationPath(string id) => "api/operations/" + Uri.EscapeDataString(id);

    private static string NewIdempotencyKey() => Guid.NewGuid().ToString("N");

    private static ByteArrayContent Json<T>(T value, JsonTypeInfo<T> info)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, info));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> info, bool idempotent, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, content, idempotent, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonSerializer.DeserializeAsync(stream, info, cancellationToken).ConfigureAwait(false)
                ?? throw new HeraldApiException(response.StatusCode, null, "the server answered an empty body");
        }
    }

    private async Task<JsonDocument> GetDocumentAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, path, null, idempotent: true, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, bool idempotent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (_options.ApiKey is { } apiKey)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }
        if (_options.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (idempotent)
        {
            request.Options.Set(IdempotentKey, true);
        }
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await ProblemAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<HeraldApiException> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        ProblemBody? problem = null;
        try
        {
            problem = text.Length > 0 ? JsonSerializer.Deserialize(text, HeraldJsonContext.Default.ProblemBody) : null;
        }
        catch (JsonException)
        {
        }
        var detail = problem?.Detail ?? problem?.Title ?? (text.Length > 0 && text.Length < 500 ? text : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        return new HeraldApiException(response.StatusCode, problem?.Code is { } code ? (HeraldErrorCode)code : null, detail, problem?.ExistingId);
    }
}
