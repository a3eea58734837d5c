using Herald.Core;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Herald.AspNetCore;

/// <summary>
/// Starts the node with the host and, on shutdown (SIGTERM, Ctrl+C), disconnects every client
/// with 3001 before the web server stops: <see cref="StoppingAsync"/> runs before any
/// hosted service's <c>StopAsync</c>, so Kestrel is still writing while clients are told to leave.
/// </summary>
internal sealed class HeraldLifetimeService(Node node, OperationService operations, NotificationService notifications, IOptions<HeraldOptions> options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await node.StartAsync(cancellationToken).ConfigureAwait(false);
        await operations.StartAsync(cancellationToken).ConfigureAwait(false);
        await notifications.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) =>
        node.ShutdownAsync(TimeSpan.FromSeconds(options.Value.ShutdownTimeoutSeconds));

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
