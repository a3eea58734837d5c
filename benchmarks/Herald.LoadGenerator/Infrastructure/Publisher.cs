using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Herald.LoadGenerator.Infrastructure;

/// <summary>
/// Publishes over HTTP (<c>POST /api/publish</c> with <c>X-API-Key</c>, the same on both servers)
/// at a fixed open-loop rate: publication i is due at start + i / rate and is sent then whatever
/// happened to earlier ones, so a slow server sees the load it would see in production and its
/// slowness shows as latency rather than as a lower offered rate. Each carries
/// <c>{"hb":[channel,seq,dueMicros],"pad":"…"}</c>; seq counts per channel from 1.
/// With several servers (the nodes of a cluster), publication i goes to server i mod their count.
/// </summary>
public sealed class Publisher(IReadOnlyList<HttpClient> targets, string apiKey, int channels, int payloadBytes)
{
    private readonly long[] _sequence = new long[channels];
    private readonly long[] _accepted = new long[channels];
    private readonly string _pad = new('x', Math.Max(0, payloadBytes - 40));
    private long _sent;
    private long _failed;
    private long _inFlight;
    private string? _firstError;

    public Publisher(HttpClient http, string apiKey, int channels, int payloadBytes)
        : this([http], apiKey, channels, payloadBytes)
    {
    }

    /// <summary>Latency of the publish requests themselves (HTTP round trip).</summary>
    public LatencyHistogram RequestLatency { get; } = new();

    public long Sent => Interlocked.Read(ref _sent);

    public long Failed => Interlocked.Read(ref _failed);

    public long InFlight => Interlocked.Read(ref _inFlight);

    public string? FirstError => _firstError;

    /// <summary>Publications the server accepted, over all channels.</summary>
    public long Accepted => _accepted.Sum(a => Interlocked.Read(ref a));

    /// <summary>Publications the server accepted into one channel.</summary>
    public long AcceptedOn(int channel) => Interlocked.Read(ref _accepted[channel]);

    public static string ChannelName(int channel) => "bench:c" + channel.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Publishes at <paramref name="rate"/> per second from <paramref name="startMicros"/> until
    /// <paramref name="endMicros"/>, then waits (bounded) for the requests in flight. The schedule
    /// runs on a dedicated thread, not the thread pool, so that the subscribers' receive loops
    /// (on the pool, on the same cores) cannot delay the publisher's clock.
    /// </summary>
    public async Task RunAsync(double rate, long startMicros, long endMicros, Func<long, int> channelFor, CancellationToken cancellationToken)
    {
        var period = 1e6 / rate;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                for (long i = 0; !cancellationToken.IsCancellationRequested; i++)
                {
                    var due = startMicros + (long)(i * period);
                    if (due >= endMicros)
                    {
                        break;
                    }
                    SleepUntil(due);
                    var channel = channelFor(i);
                    var seq = Interlocked.Increment(ref _sequence[channel]);
                    _ = SendAsync(targets[(int)(i % targets.Count)], channel, seq, due);
                }
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        { IsBackground = true, Name = "publisher", Priority = ThreadPriority.AboveNormal };
        thread.Start();
        await done.Task.ConfigureAwait(false);
        var deadline = Clock.NowMicros + 30_000_000;
        while (InFlight > 0 && Clock.NowMicros < deadline)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closed loop, for capacity rather than latency: <paramref name="concurrency"/> workers, worker w
    /// on server w mod their count, each sending its next publication as soon as the previous one
    /// is answered, from <paramref name="startMicros"/> until <paramref name="endMicros"/>. With one
    /// HTTP/1.1 keep-alive connection per worker (the client's connection limit at least the workers
    /// per server), that is <paramref name="concurrency"/> connections with one request each in
    /// flight. The request latency is then measured from each request's own start.
    /// </summary>
    public async Task RunClosedLoopAsync(int concurrency, long startMicros, long endMicros, Func<long, int> channelFor, CancellationToken cancellationToken)
    {
        long next = -1;
        async Task Worker(int worker)
        {
            var http = targets[worker % targets.Count];
            await Clock.WaitUntilAsync(startMicros, cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested && Clock.NowMicros < endMicros)
            {
                var channel = channelFor(Interlocked.Increment(ref next));
                var seq = Interlocked.Increment(ref _sequence[channel]);
                await SendAsync(http, channel, seq, Clock.NowMicros).ConfigureAwait(false);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(() => Worker(w), CancellationToken.None))).ConfigureAwait(false);
    }

    /// <summary>Sleeps in whole milliseconds while far from the due time, then yields the processor until it.</summary>
    private static void SleepUntil(long due)
    {
        while (true)
        {
            var remaining = due - Clock.NowMicros;
            if (remaining <= 0)
            {
                return;
            }
            if (remaining > 1500)
            {
                Thread.Sleep((int)((remaining - 500) / 1000));
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    private async Task SendAsync(HttpClient http, int channel, long seq, long due)
    {
        Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _sent);
        try
        {
            var body = string.Create(CultureInfo.InvariantCulture,
                $"{{\"channel\":\"{ChannelName(channel)}\",\"type\":\"bench.tick\",\"data\":{{\"hb\":[{channel},{seq},{due}],\"pad\":\"{_pad}\"}}}}");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish")
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            request.Headers.Add("X-API-Key", apiKey);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            RequestLatency.Record(Clock.NowMicros - due);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _accepted[channel]);
            }
            else
            {
                Interlocked.Increment(ref _failed);
                _firstError ??= $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}";
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            Interlocked.Increment(ref _failed);
            _firstError ??= ex.Message;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
