using System.Text;

namespace ChronoFlow.Files;

/// <summary>How an <c>http_request</c> run ended.</summary>
internal sealed record HttpRunResult
{
    /// <summary>The response status, or <see langword="null"/> when no response came.</summary>
    public int? StatusCode { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>The start of the response body (at most <see cref="HttpTaskRunner.MaxLoggedBodyBytes"/> bytes), for the log.</summary>
    public string ResponseBody { get; init; } = string.Empty;

    public bool TimedOut { get; init; }

    public bool Cancelled { get; init; }

    /// <summary>Why no response came (connection refused, DNS, TLS), or <see langword="null"/>.</summary>
    public string? Error { get; init; }

    /// <summary>The status was one of the expected ones (any 2xx by default).</summary>
    public bool Succeeded { get; init; }
}

/// <summary>
/// Runs <c>http_request</c> tasks with a given <see cref="HttpClient"/> (the hosting layer passes one from
/// <c>IHttpClientFactory</c> where DI has it).
/// </summary>
/// <remarks>
/// Headers go on the request, or on the content when they are content headers (<c>Content-Type</c> …). A body is sent
/// as UTF-8; its content type is the <c>Content-Type</c> header when given, else <c>application/json</c> when the
/// body was written as a JSON object or array, else <c>text/plain</c>. The timeout is the task's <c>timeout</c>, else
/// the job's, else none beyond the client's own. Redirects follow the client's settings.
/// </remarks>
/// <threadsafety>Thread-safe if the client is (as <see cref="HttpClient"/> is).</threadsafety>
internal sealed class HttpTaskRunner(HttpClient client, TimeProvider timeProvider)
{
    public const int MaxLoggedBodyBytes = 4096;

    public async Task<HttpRunResult> RunAsync(HttpTaskSettings settings, TimeSpan? jobTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var started = timeProvider.GetTimestamp();
        var timeout = settings.Timeout ?? jobTimeout;
        using var timeoutSource = timeout is { } t ? new CancellationTokenSource(t, timeProvider) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        using var request = CreateRequest(settings);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await ReadStartAsync(response.Content, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return new HttpRunResult
            {
                StatusCode = status,
                Duration = timeProvider.GetElapsedTime(started),
                ResponseBody = body,
                Succeeded = settings.IsExpected(status),
            };
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            var timedOut = timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            return new HttpRunResult { Duration = timeProvider.GetElapsedTime(started), TimedOut = timedOut, Cancelled = !timedOut };
        }
        catch (HttpRequestException ex)
        {
            return new HttpRunResult { Duration = timeProvider.GetElapsedTime(started), Error = ex.Message };
        }
    }

    internal static HttpRequestMessage CreateRequest(HttpTaskSettings settings)
    {
        var request = new HttpRequestMessage(new HttpMethod(settings.Method), settings.Url);
        string? contentType = null;
        var contentHeaders = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in settings.Headers)
        {
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                contentHeaders.Add(new(name, value));
            }
        }

        if (settings.Body is not null || contentType is not null || contentHeaders.Count > 0)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(settings.Body ?? string.Empty));
            var type = contentType ?? (settings.BodyIsJson ? "application/json; charset=utf-8" : "text/plain; charset=utf-8");
            content.Headers.TryAddWithoutValidation("Content-Type", type);
            foreach (var (name, value) in contentHeaders)
            {
                content.Headers.TryAddWithoutValidation(name, value);
            }

            request.Content = content;
        }

        return request;
    }

    private static async Task<string> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxLoggedBodyBytes];
            var total = 0;
            while (total < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, total);
        }
    }
}
