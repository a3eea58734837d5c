using Herald.Core.Auth;
using Herald.Core.Channels;
using Herald.Core.Internal;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Requests;

namespace Herald.Core.Requests;

/// <summary>
/// Runs requests against the node, the same for every transport: checks what every request
/// needs (an authenticated connection, well-formed filters, sizes), calls the connection and the
/// node, and sends exactly one <see cref="RequestResult"/> to the request's reply (none for
/// <c>pong</c>). A request that fails inside the server is answered with
/// <see cref="HeraldErrorCode.Internal"/>; the connection stays open. Thread-safe; one instance per node.
/// </summary>
public sealed class RequestHandler
{
    private readonly Node _node;

    internal RequestHandler(Node node) => _node = node;

    /// <summary>
    /// Runs one request of <paramref name="client"/>. Requests of one connection must be run one
    /// at a time, in order (the transport's reader awaits each). <paramref name="target"/> says
    /// where a subscription's publications go when not to the connection's own encoder.
    /// </summary>
    public async ValueTask HandleAsync<TReply>(Client client, HeraldRequest request, TReply reply, DeliveryTarget? target = null, CancellationToken cancellationToken = default)
        where TReply : IRequestReply
    {
        var answer = new Answer<TReply>(reply, _node, client);
        try
        {
            using var activity = HeraldTracing.Source.StartActivity("herald.request", System.Diagnostics.ActivityKind.Server);
            activity?.SetTag("herald.request.type", RequestNames.NativeName(request.Kind));
            await RunAsync(client, request, answer, target, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            // Nothing was stored: the client is told so, and may try again.
            _node.Logger.RequestFailed(ex, client.Id, RequestNames.NativeName(request.Kind));
            if (!answer.Sent)
            {
                answer.Send(RequestResult.Failed(request.Kind, ex.Error));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _node.Logger.RequestFailed(ex, client.Id, RequestNames.NativeName(request.Kind));
            if (!answer.Sent)
            {
                answer.Send(RequestResult.Failed(request.Kind, new HeraldError(HeraldErrorCode.Internal, "internal server error")));
            }
        }
    }

    private async ValueTask RunAsync<TReply>(Client client, HeraldRequest request, Answer<TReply> answer, DeliveryTarget? target, CancellationToken cancellationToken)
        where TReply : IRequestReply
    {
        if (client.Principal is null && request.Kind is not (RequestKind.Connect or RequestKind.Ping or RequestKind.Pong))
        {
            answer.Fail(request.Kind, new HeraldError(HeraldErrorCode.Unauthorized, Client.NotAuthenticated));
            return;
        }
        switch (request)
        {
            case ConnectRequest connect:
                await ConnectAsync(client, connect, answer).ConfigureAwait(false);
                return;
            case RefreshRequest refresh:
                await RefreshAsync(client, refresh, answer).ConfigureAwait(false);
                return;
            case PingRequest { Kind: RequestKind.Ping }:
                answer.Send(RequestResult.Pong);
                return;
            case PingRequest:
                client.OnActivity();
                return;
            case SubscribeRequest subscribe:
                await SubscribeAsync(client, subscribe, answer, target, cancellationToken).ConfigureAwait(false);
                return;
            case ChannelRequest { Kind: RequestKind.Unsubscribe } unsubscribe:
                answer.Complete(request.Kind, client.Unsubscribe(unsubscribe.Channel, out var left), () => RequestResult.Unsubscribed(left!));
                return;
            case ChannelRequest presence:
                await PresenceAsync(client, presence, answer, cancellationToken).ConfigureAwait(false);
                return;
            case UpdateFilterRequest update:
                UpdateFilter(client, update, answer);
                return;
            case HistoryRequest history:
                await HistoryAsync(client, history, answer, cancellationToken).ConfigureAwait(false);
                return;
            case PublishRequest publish:
                await PublishAsync(client, publish, answer, cancellationToken).ConfigureAwait(false);
                return;
            default:
                answer.Fail(request.Kind, new HeraldError(HeraldErrorCode.UnknownMessageType, $"unknown request '{request.Kind}'"));
                return;
        }
    }

    /// <summary>
    /// Checks what a connection presents, the one check of every transport: an API key when one is
    /// presented (it must have the <c>subscribe</c> scope; it wins over a token sent too, as on the
    /// HTTP API), else the user token with the pinned algorithms. A refusal carries the error to
    /// answer (<see cref="HeraldErrorCode.Unauthorized"/>, or <see cref="HeraldErrorCode.TokenExpired"/>).
    /// </summary>
    public ValueTask<TokenResult> ValidateCredentialsAsync(string? token, string? apiKey) =>
        string.IsNullOrEmpty(apiKey)
            ? _node.Tokens.ValidateAsync(token)
            : ValueTask.FromResult(_node.ApiKeys.ValidateForConnection(apiKey));

    /// <summary>
    /// Authenticates a connection with a user token or an API key (<see cref="ValidateCredentialsAsync"/>),
    /// then applies the per-user connection limit (an API key's name counts as its user). On failure,
    /// the error to answer and the code to disconnect with (transports with a handshake of their own
    /// refuse it instead).
    /// </summary>
    public async ValueTask<(HeraldError? Error, DisconnectCode? Disconnect)> AuthenticateAsync(Client client, string? token, string? apiKey = null)
    {
        var result = await ValidateCredentialsAsync(token, apiKey).ConfigureAwait(false);
        if (!result.IsValid)
        {
            _node.Logger.Refused(client.Id, result.Message);
            return (new HeraldError(result.Error, result.Message),
                result.Error == HeraldErrorCode.TokenExpired ? DisconnectCode.TokenExpired : DisconnectCode.InvalidToken);
        }
        if (client.Authenticate(result.Principal!) is { } code)
        {
            return (new HeraldError(HeraldErrorCode.LimitExceeded, $"user has the maximum of {_node.Options.Limits.MaxConnectionsPerUser} connections"), code);
        }
        return (null, null);
    }

    private async ValueTask ConnectAsync<TReply>(Client client, ConnectRequest connect, Answer<TReply> answer)
        where TReply : IRequestReply
    {
        if (client.Principal is not null)
        {
            answer.Fail(RequestKind.Connect, new HeraldError(HeraldErrorCode.AlreadyConnected, "connection is already authenticated"));
            return;
        }
        var (error, disconnect) = await AuthenticateAsync(client, connect.Token, connect.ApiKey).ConfigureAwait(false);
        if (error is { } e)
        {
            answer.Fail(RequestKind.Connect, e);
            client.Disconnect(disconnect!.Value);
            return;
        }
        answer.Send(RequestResult.Connected(RequestKind.Connect, Session(client)));
    }

    /// <summary>
    /// A newer token for the same user and organisation replaces the connection's; subscriptions
    /// the new token no longer allows end (their transport tells the client). A token that fails
    /// is an error answer; the connection keeps its current token until that expires.
    /// </summary>
    private async ValueTask RefreshAsync<TReply>(Client client, RefreshRequest refresh, Answer<TReply> answer)
        where TReply : IRequestReply
    {
        if (client.Principal!.IsApiKey)
        {
            answer.Fail(RequestKind.Refresh, new HeraldError(HeraldErrorCode.NotAvailable, "the connection is authenticated with an API key, which has no token to refresh"));
            return;
        }
        var result = await _node.Tokens.ValidateAsync(refresh.Token).ConfigureAwait(false);
        if (!result.IsValid)
        {
            answer.Fail(RequestKind.Refresh, new HeraldError(result.Error, result.Message));
            return;
        }
        if (client.Refresh(result.Principal!) is { } error)
        {
            answer.Fail(RequestKind.Refresh, error);
            return;
        }
        answer.Send(RequestResult.Connected(RequestKind.Refresh, Session(client)));
    }

    private ConnectedSession Session(Client client)
    {
        var principal = client.Principal!;
        var heartbeat = _node.Options.Heartbeat;
        long? expiresIn = principal.ExpiresAt is { } at ? Math.Max(0, (long)Math.Ceiling((at - _node.Time.GetUtcNow()).TotalSeconds)) : null;
        return new ConnectedSession(client.Id, principal.UserId, principal.OrgId, heartbeat.IntervalSeconds, heartbeat.TimeoutSeconds, expiresIn);
    }

    private static async ValueTask SubscribeAsync<TReply>(Client client, SubscribeRequest subscribe, Answer<TReply> answer, DeliveryTarget? target, CancellationToken cancellationToken)
        where TReply : IRequestReply
    {
        var filter = TagFilter.Create(subscribe.Filters, out var filterError);
        if (filterError is not null)
        {
            answer.Fail(RequestKind.Subscribe, HeraldError.BadRequest(filterError));
            return;
        }
        var error = await client.SubscribeAsync(subscribe.Channel, filter, subscribe.Since,
            result => answer.Send(RequestResult.Subscribe(result)), cancellationToken, subscribe.Info, target).ConfigureAwait(false);
        if (error is { } e)
        {
            answer.Fail(RequestKind.Subscribe, e);
        }
    }

    private static void UpdateFilter<TReply>(Client client, UpdateFilterRequest update, Answer<TReply> answer)
        where TReply : IRequestReply
    {
        var filter = TagFilter.Create(update.Filters, out var filterError);
        if (filterError is not null)
        {
            answer.Fail(RequestKind.UpdateFilter, HeraldError.BadRequest(filterError));
            return;
        }
        answer.Complete(RequestKind.UpdateFilter, client.UpdateFilter(update.Channel, filter, out var channel), () => RequestResult.FilterUpdated(channel!));
    }

    private async ValueTask PresenceAsync<TReply>(Client client, ChannelRequest presence, Answer<TReply> answer, CancellationToken cancellationToken)
        where TReply : IRequestReply
    {
        if (client.Authorize(presence.Channel, out var name, out _) is { } denied)
        {
            answer.Fail(RequestKind.Presence, denied);
            return;
        }
        var (users, error) = await _node.GetPresenceAsync(name.Value, cancellationToken).ConfigureAwait(false);
        answer.Complete(RequestKind.Presence, error, () => RequestResult.Presence(name.Value, users!));
    }

    private async ValueTask HistoryAsync<TReply>(Client client, HistoryRequest history, Answer<TReply> answer, CancellationToken cancellationToken)
        where TReply : IRequestReply
    {
        if (client.Authorize(history.Channel, out var name, out _) is { } denied)
        {
            answer.Fail(RequestKind.History, denied);
            return;
        }
        var since = history.SinceOffset is { } offset && history.SinceEpoch is { } epoch ? new StreamPosition(offset, epoch) : (StreamPosition?)null;
        var (page, error) = await _node.ReadHistoryAsync(name.Value, since, history.SinceOffset, history.Limit, cancellationToken).ConfigureAwait(false);
        answer.Complete(RequestKind.History, error, () => RequestResult.HistoryPage(name.Value, page!));
    }

    private async ValueTask PublishAsync<TReply>(Client client, PublishRequest publish, Answer<TReply> answer, CancellationToken cancellationToken)
        where TReply : IRequestReply
    {
        var max = _node.Options.Limits.MaxFrameBytes;
        if (publish.Data.Length > max)
        {
            answer.Fail(RequestKind.Publish, new HeraldError(HeraldErrorCode.MessageTooLarge, $"'data' is larger than {max} bytes"));
            return;
        }
        // 'data' is a slice of the transport's receive buffer, which goes back to its pool once the
        // frame is handled; the publication outlives it in history, latest state and the
        // idempotency window, so it gets bytes of its own: the one copy of a client publish.
        var (publication, error) = await client.PublishAsync(publish with { Data = publish.Data.ToArray() }, cancellationToken).ConfigureAwait(false);
        answer.Complete(RequestKind.Publish, error, () => RequestResult.Publish(publication!));
    }

    /// <summary>The reply of one request, which remembers whether it was answered (so a failure after the answer adds none).</summary>
    private sealed class Answer<TReply>(TReply reply, Node node, Client client)
        where TReply : IRequestReply
    {
        public bool Sent { get; private set; }

        public void Send(RequestResult result)
        {
            Sent = true;
            if (result.Error is { } error)
            {
                node.Logger.RequestRefused(client.Id, RequestNames.NativeName(result.Kind), (int)error.Code, error.Message);
            }
            reply.Send(result);
        }

        public void Fail(RequestKind kind, HeraldError error) => Send(RequestResult.Failed(kind, error));

        public void Complete(RequestKind kind, HeraldError? error, Func<RequestResult> success) =>
            Send(error is { } e ? RequestResult.Failed(kind, e) : success());
    }
}
