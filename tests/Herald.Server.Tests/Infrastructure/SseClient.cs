using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>One Server-Sent Event as the browser's EventSource would see it.</summary>
public sealed record SseEvent(string Event, string? Id, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement.Clone();
}

/// <summary>A test SSE client: streams <c>/sse</c> and parses events in a background loop, like EventSource.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly Channel<SseEvent> _events = Channel.CreateUnbounded<SseEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private SseClient(HttpClient http, HttpResponseMessage response)
    {
        _http = http;
        _response = response;
        _reader = ReadLoopAsync();
    }

    /// <summary>The id of the last event that had one, as EventSource remembers it.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>The last <c>retry:</c> field, in milliseconds, as EventSource would wait before reconnecting.</summary>
    public long? Retry { get; private set; }

    public static async Task<(HttpStatusCode Status, SseClient? Client, string Body)> ConnectAsync(Uri baseUri, string query, string? lastEventId = null, string? bearer = null, string? apiKey = null)
    {
        var http = new HttpClient { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sse?" + query);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            response.Dispose();
            http.Dispose();
            return (response.StatusCode, null, body);
        }
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        return (HttpStatusCode.OK, new SseClient(http, response), "");
    }

    /// <summary>The next event (comments and retry lines are skipped).</summary>
    public async Task<SseEvent> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no event arrived in time");
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string? name = null, id = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        if (id is not null)
                        {
                            LastEventId = id;
                        }
                        _events.Writer.TryWrite(new SseEvent(name ?? "message", id, data.ToString()));
                    }
                    name = null;
                    id = null;
                    data.Clear();
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("retry: ", StringComparison.Ordinal))
                {
                    Retry = long.Parse(line[7..], System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(data.Length > 0 ? "\n" : "").Append(line[6..]);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reader.WaitAsync(TestServer.Timeout).ContinueWith(_ => { }, TaskScheduler.Default);
        _http.Dispose();
        _stop.Dispose();
    }
}
