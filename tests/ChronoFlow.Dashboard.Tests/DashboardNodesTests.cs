using System.Net;
using System.Text.Json;

namespace ChronoFlow.Dashboard.Tests;

/// <summary>
/// <c>GET api/nodes</c> and the nodes on the event stream: the node registry of the store the app's scheduler shares
/// with its peers (other schedulers on the same <see cref="InMemoryJobStore"/>, as other processes would be), this
/// process marked, each node's status as its heartbeats say, and a 503 that names the store when it cannot be read.
/// </summary>
public sealed class DashboardNodesTests : IAsyncLifetime
{
    private DashboardApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await DashboardApp.StartAsync();
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Nodes_ListThisProcess_MarkedSelf_WithTheContractsCamelCaseFields()
    {
        var (status, body) = await Http.GetJsonAsync(_client, "/chronoflow/api/nodes");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(TestClock.Epoch, body.GetProperty("now").GetDateTimeOffset());
        var node = Assert.Single(body.GetProperty("nodes").EnumerateArray());
        foreach (var field in new[] { "node", "owner", "host", "pid", "version", "started", "lastSeen", "secondsSinceSeen", "status", "jobs", "running", "self" })
        {
            Assert.True(node.TryGetProperty(field, out _), $"GET api/nodes: the node has no field \"{field}\": {node}");
        }

        Assert.Equal("node-a", node.GetProperty("node").GetString());
        Assert.Equal(_app.Scheduler.NodeOwner, node.GetProperty("owner").GetString());
        Assert.True(node.GetProperty("self").GetBoolean());
        Assert.Equal("running", node.GetProperty("status").GetString());
        Assert.Equal(Environment.MachineName, node.GetProperty("host").GetString());
        Assert.Equal(Environment.ProcessId, node.GetProperty("pid").GetInt32());
        Assert.False(string.IsNullOrEmpty(node.GetProperty("version").GetString()));
        Assert.Equal(TestClock.Epoch, node.GetProperty("started").GetDateTimeOffset());
        Assert.Equal(TestClock.Epoch, node.GetProperty("lastSeen").GetDateTimeOffset());
        Assert.Equal(0, node.GetProperty("secondsSinceSeen").GetInt64());
        Assert.Equal(3, node.GetProperty("jobs").GetInt32());
        Assert.Equal(0, node.GetProperty("running").GetInt32());
    }

    [Fact]
    public async Task Nodes_APeerThatStopped_IsStopped_AndOneWhoseHeartbeatsStopped_IsLostOnceTheClockMovesOn()
    {
        var stopped = await _app.StartPeerAsync("node-b");
        // node-c beats its heart on a clock of its own that never moves: its heartbeats stop at the epoch.
        var silent = await _app.StartPeerAsync("node-c", new TestClock());
        await stopped.StopAsync();

        var (_, before) = await Http.GetJsonAsync(_client, "/chronoflow/api/nodes");
        Assert.Equal(["running", "stopped", "running"], Statuses(before));

        // Past three heartbeats (3 x 10 s / 3) and the second of grace; node-a's maintenance tick beats its heart at the new time.
        var later = TestClock.Epoch.AddSeconds(12);
        var beat = _app.Store.WhenHeartbeat(h => h.Owner == _app.Scheduler.NodeOwner && h.Now == later);
        _app.Clock.Advance(TimeSpan.FromSeconds(12));
        await beat;

        var (status, after) = await Http.GetJsonAsync(_client, "/chronoflow/api/nodes");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(later, after.GetProperty("now").GetDateTimeOffset());
        var nodes = after.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(["node-a", "node-b", "node-c"], nodes.Select(static n => n.GetProperty("node").GetString()));
        Assert.Equal(["running", "stopped", "lost"], Statuses(after));
        Assert.Equal([true, false, false], nodes.Select(static n => n.GetProperty("self").GetBoolean()));
        Assert.Equal([stopped.NodeOwner, silent.NodeOwner], nodes.Skip(1).Select(static n => n.GetProperty("owner").GetString()));
        Assert.Equal([0L, 12L, 12L], nodes.Select(static n => n.GetProperty("secondsSinceSeen").GetInt64()));
        Assert.Equal([3, 1, 1], nodes.Select(static n => n.GetProperty("jobs").GetInt32()));
    }

    [Fact]
    public async Task Nodes_WhenTheStoreCannotBeRead_Is503WithTheStoresMessage_AndLogged()
    {
        _app.Store.FailReads = true;

        using var response = await _client.GetAsync("/chronoflow/api/nodes");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Job store unavailable", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains(SignallingStore.ReadFailure, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(_app.Logs.Records, static r => r.Category == "ChronoFlow.Dashboard" && r.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && r.Message.Contains(SignallingStore.ReadFailure, StringComparison.Ordinal));

        _app.Store.FailReads = false;
        var (status, _) = await Http.GetJsonAsync(_client, "/chronoflow/api/nodes");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Nodes_WithoutAStore_ListThisProcessAlone()
    {
        await using var app = await DashboardApp.StartAsync(withStore: false);
        using var client = app.CreateClient();

        var (status, body) = await Http.GetJsonAsync(client, "/chronoflow/api/nodes");

        Assert.Equal(HttpStatusCode.OK, status);
        var node = Assert.Single(body.GetProperty("nodes").EnumerateArray());
        Assert.Equal("node-a", node.GetProperty("node").GetString());
        Assert.True(node.GetProperty("self").GetBoolean());
        Assert.Equal("running", node.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Events_WithNodes_SendTheNodesAfterTheJobs()
    {
        await _app.StartPeerAsync("node-b");

        var events = await ReadEventsAsync("/chronoflow/api/events?nodes=1", 2);

        Assert.Equal(["jobs", "nodes"], events.Select(static e => e.Name));
        using var nodes = JsonDocument.Parse(events[1].Data);
        Assert.Equal(["running", "running"], Statuses(nodes.RootElement));
        Assert.True(nodes.RootElement.GetProperty("nodes")[0].GetProperty("self").GetBoolean());
    }

    [Fact]
    public async Task Events_WithNodes_WhenTheStoreCannotBeRead_SendTheProblem()
    {
        _app.Store.FailReads = true;

        var events = await ReadEventsAsync("/chronoflow/api/events?nodes=1", 2);

        Assert.Equal(["jobs", "nodes-failed"], events.Select(static e => e.Name));
        using var problem = JsonDocument.Parse(events[1].Data);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(SignallingStore.ReadFailure, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static string[] Statuses(JsonElement body)
        => [.. body.GetProperty("nodes").EnumerateArray().Select(static n => n.GetProperty("status").GetString()!)];

    /// <summary>Reads the first <paramref name="count"/> events of a stream, then closes it.</summary>
    private async Task<List<(string Name, string Data)>> ReadEventsAsync(string path, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<(string Name, string Data)>();
        string? name = null;
        while (events.Count < count && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
            {
                events.Add((name, line["data: ".Length..]));
                name = null;
            }
        }

        return events;
    }
}
