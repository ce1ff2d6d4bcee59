using ChronoFlow.Testing;

namespace ChronoFlow.IntegrationTests;

/// <summary>
/// <c>chronoflow define</c> and <c>chronoflow remove</c>, run as the built tool in processes of their own, against a
/// temporary SQLite store that the tests then read as a service would: by syncing with it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ServiceAdminCommandTests : IDisposable
{
    private const string Yearly = """{ "schedule": "0 0 1 1 *", "task": { "type": "execute_command", "command": "/bin/true" } }""";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string StorePath => _dir.File("state.db");

    private string Store => "sqlite:" + StorePath;

    [LinuxFact]
    public async Task Define_StoresTheDefinition_ForTheNextSyncOfEveryProcess()
    {
        await CreateStoreAsync();
        _dir.Write("report.json", Yearly);

        using (var define = SampleProcess.Start("ChronoFlow.Service", "define", "report", _dir.File("report.json"), "--store", Store))
        {
            Assert.Equal(0, await define.WaitForExitAsync());
            Assert.Equal([$"Job 'report' is stored in {StorePath}; running services pick it up at their next sync."], define.Lines);
            Assert.Empty(define.ErrorLines);
        }

        var change = Assert.Single(await SyncAsync(), c => c.JobId == "report");
        Assert.Equal(Yearly, change.Definition);
        Assert.False(change.Removed);
    }

    [LinuxFact]
    public async Task Define_FromStandardInput_StoresIt()
    {
        await CreateStoreAsync();

        using (var define = SampleProcess.StartWithInput("ChronoFlow.Service", Yearly, "define", "report", "-", "--store", Store))
        {
            Assert.Equal(0, await define.WaitForExitAsync());
        }

        Assert.Equal(Yearly, Assert.Single(await SyncAsync(), c => c.JobId == "report").Definition);
    }

    [LinuxFact]
    public async Task Define_Invalid_ExitsNonZero_NamingTheFileAndThePath_AndStoresNothing()
    {
        await CreateStoreAsync();
        _dir.Write("report.json", """{ "schedule": "61 * * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        using (var define = SampleProcess.Start("ChronoFlow.Service", "define", "report", _dir.File("report.json"), "--store", Store))
        {
            Assert.Equal(1, await define.WaitForExitAsync());
            var error = Assert.Single(define.ErrorLines);
            Assert.StartsWith($"invalid: {_dir.File("report.json")}: ", error, StringComparison.Ordinal);
            Assert.Contains("$.schedule: minute: 61 is out of range 0-59", error, StringComparison.Ordinal);
            Assert.Empty(define.Lines);
        }

        Assert.DoesNotContain(await SyncAsync(), c => c.JobId == "report");
    }

    [LinuxFact]
    public async Task Define_UnknownTaskType_IsStoredWithAWarning()
    {
        await CreateStoreAsync();
        _dir.Write("backup.json", """{ "schedule": "@daily", "task": { "type": "backup_database" } }""");

        using (var define = SampleProcess.Start("ChronoFlow.Service", "define", "backup", _dir.File("backup.json"), "--store", Store))
        {
            Assert.Equal(0, await define.WaitForExitAsync());
            var warning = Assert.Single(define.ErrorLines);
            Assert.StartsWith($"warning: {_dir.File("backup.json")}: its task type \"backup_database\" is not known", warning, StringComparison.Ordinal);
        }

        Assert.Single(await SyncAsync(), c => c.JobId == "backup");
    }

    [LinuxFact]
    public async Task Remove_StoresTheRemoval_AndDeletesTheDefinition()
    {
        await CreateStoreAsync();
        _dir.Write("report.json", Yearly);
        using (var define = SampleProcess.Start("ChronoFlow.Service", "define", "report", _dir.File("report.json"), "--store", Store))
        {
            Assert.Equal(0, await define.WaitForExitAsync());
        }

        using (var remove = SampleProcess.Start("ChronoFlow.Service", "remove", "report", "--store", Store))
        {
            Assert.Equal(0, await remove.WaitForExitAsync());
            Assert.Equal(
                [$"Job 'report' is removed from {StorePath}; running services stop scheduling it at their next sync (its state and history stay)."],
                remove.Lines);
        }

        var change = Assert.Single(await SyncAsync(), c => c.JobId == "report");
        Assert.True(change.Removed);
        Assert.Null(change.Definition);
    }

    [LinuxFact]
    public async Task Remove_UnknownJob_ExitsNonZero_NamingTheStore()
    {
        await CreateStoreAsync();

        using var remove = SampleProcess.Start("ChronoFlow.Service", "remove", "nosuch", "--store", Store);

        Assert.Equal(1, await remove.WaitForExitAsync());
        Assert.Equal([$"No job 'nosuch' in {StorePath}: nothing to remove (`chronoflow status` lists the jobs it has)."], remove.ErrorLines);
        Assert.Empty(await SyncAsync());
    }

    [LinuxFact]
    public async Task Define_ThenRemove_ARunningSchedulerBindsTheJobAtItsNextSync_ThenDropsIt()
    {
        var clock = new TestClock();
        var store = new SqliteJobStore(StorePath);
        await using var storeDisposal = store;
        var options = new SchedulerOptions
        {
            Mode = SchedulerMode.Soft,
            ShutdownTimeout = TimeSpan.Zero,
            Store = store,
            NodeName = "worker",
            DefinitionBinder = new JobFileDefinitionBinder(),
        };
        var scheduler = new JobScheduler(options, clock);
        await using var schedulerDisposal = scheduler;
        await scheduler.StartAsync();
        _dir.Write("report.json", Yearly);

        using (var define = SampleProcess.Start("ChronoFlow.Service", "define", "report", _dir.File("report.json"), "--store", Store))
        {
            Assert.Equal(0, await define.WaitForExitAsync());
        }

        Assert.Null(scheduler.GetJob("report"));
        await SyncAsync(scheduler, clock, options);
        Assert.Equal("0 0 1 1 *", scheduler.GetJob("report")?.ScheduleText);

        using (var remove = SampleProcess.Start("ChronoFlow.Service", "remove", "report", "--store", Store))
        {
            Assert.Equal(0, await remove.WaitForExitAsync());
        }

        await SyncAsync(scheduler, clock, options);
        Assert.Null(scheduler.GetJob("report"));
    }

    /// <summary>Creates the store's file as a service's first start would, so that the commands find it.</summary>
    private async Task CreateStoreAsync()
    {
        var store = new SqliteJobStore(StorePath);
        await using (store)
        {
            await store.OpenAsync("test", CancellationToken.None);
        }
    }

    /// <summary>Every control change the store holds, as a process that has seen none reads them at its first sync.</summary>
    private async Task<IReadOnlyList<JobControlChange>> SyncAsync()
    {
        var store = new SqliteJobStore(StorePath);
        await using (store)
        {
            await store.OpenAsync("test", CancellationToken.None);
            var heartbeat = new NodeHeartbeat { Node = "test", Owner = "test", Now = DateTimeOffset.UtcNow };
            return (await store.SyncAsync(heartbeat, 0, CancellationToken.None)).Changes;
        }
    }

    /// <summary>Makes the scheduler sync with its store: its lease timer fires every third of a lease, and the flush waits for that write.</summary>
    private static async Task SyncAsync(JobScheduler scheduler, TestClock clock, SchedulerOptions options)
    {
        clock.Advance(options.LeaseDuration / 3);
        await scheduler.FlushAsync();
    }
}
