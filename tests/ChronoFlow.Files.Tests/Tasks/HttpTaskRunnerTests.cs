using System.Net;
using System.Net.Sockets;
using System.Text;
using ChronoFlow.Files;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

[Trait("Category", "Integration")]
public sealed class HttpTaskRunnerTests : IDisposable
{
    private readonly HttpClient _client = new();
    private readonly HttpTaskRunner _runner;

    public HttpTaskRunnerTests()
    {
        _runner = new HttpTaskRunner(_client, TimeProvider.System);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>A one-request HTTP/1.1 server on 127.0.0.1 that records the request and answers with a fixed status (or never).</summary>
    private sealed class OneShotServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public OneShotServer(int status, bool answer = true)
        {
            _listener.Start();
            Request = Task.Run(async () =>
            {
                using var socket = await _listener.AcceptTcpClientAsync();
                var stream = socket.GetStream();
                var received = new StringBuilder();
                var buffer = new byte[4096];
                while (true)
                {
                    var read = await stream.ReadAsync(buffer);
                    if (read == 0)
                    {
                        break;
                    }

                    received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                    var text = received.ToString();
                    var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (end >= 0)
                    {
                        var lengthLine = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim());
                        if (Encoding.UTF8.GetByteCount(text[(end + 4)..]) >= length)
                        {
                            break;
                        }
                    }
                }

                if (answer)
                {
                    var reply = $"HTTP/1.1 {status} X\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(reply));
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { });
                }

                return received.ToString();
            });
        }

        private readonly CancellationTokenSource _stop = new();

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook?x=1");

        public Task<string> Request { get; }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task RunAsync_Post_SendsMethodHeadersAndBody()
    {
        using var server = new OneShotServer(201);
        var settings = new HttpTaskSettings
        {
            Method = "POST",
            Url = server.Url,
            Headers = [new("X-Token", "abc"), new("Content-Type", "application/vnd.test+json")],
            Body = """{"a":1}""",
            BodyIsJson = true,
        };

        var result = await _runner.RunAsync(settings);

        Assert.True(result.Succeeded);
        Assert.Equal(201, result.StatusCode);
        Assert.Equal("hello", result.ResponseBody);
        var request = await server.Request.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("POST /hook?x=1 HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains("X-Token: abc\r\n", request, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/vnd.test+json\r\n", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"a\":1}", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnexpectedStatus_IsFailureWithStatus()
    {
        using var server = new OneShotServer(500);

        var result = await _runner.RunAsync(new HttpTaskSettings { Url = server.Url });

        Assert.False(result.Succeeded);
        Assert.Equal(500, result.StatusCode);
    }

    [Fact]
    public async Task RunAsync_ExpectedStatusList_AcceptsListedCode()
    {
        using var server = new OneShotServer(404);

        var result = await _runner.RunAsync(new HttpTaskSettings { Url = server.Url, ExpectedStatus = [404, 410] });

        Assert.True(result.Succeeded);
    }

    [Fact]
    public async Task RunAsync_NoAnswer_TimesOut()
    {
        using var server = new OneShotServer(200, answer: false);

        var result = await _runner.RunAsync(new HttpTaskSettings { Url = server.Url, Timeout = TimeSpan.FromMilliseconds(500) });

        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.Null(result.StatusCode);
    }

    [Fact]
    public async Task RunAsync_ConnectionRefused_IsErrorNotThrow()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await _runner.RunAsync(new HttpTaskSettings { Url = new Uri($"http://127.0.0.1:{port}/") }, TimeSpan.FromSeconds(20));

        Assert.False(result.Succeeded);
        Assert.NotNull(result.Error);
        Assert.False(result.TimedOut);
    }

    [Fact]
    public void CreateRequest_JsonBodyWithoutContentType_IsApplicationJson()
    {
        using var request = HttpTaskRunner.CreateRequest(new HttpTaskSettings { Method = "PUT", Url = new Uri("http://127.0.0.1/"), Body = "[1]", BodyIsJson = true });

        Assert.Equal("application/json; charset=utf-8", request.Content!.Headers.ContentType!.ToString());
        Assert.Equal(HttpMethod.Put, request.Method);
    }
}
