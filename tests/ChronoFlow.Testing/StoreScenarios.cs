using Xunit;

namespace ChronoFlow.Testing;

/// <summary>
/// What every <see cref="IJobStore"/> must make true of a scheduler, on a fake clock: restarts after downtime under
/// each misfire policy, one-time jobs across restarts, changed and unchanged schedules, pause, counts and history,
/// processes that share the store, abandoned runs, and a store that fails. A derived class supplies the store; each
/// <see cref="OpenStore"/> is one process's view of the same durable state, so a new scheduler on a new view is a
/// restart.
/// </summary>
public abstract class StoreScenarios : IAsyncLifetime
{
    private readonly List<JobScheduler> _schedulers = [];
    private readonly List<IJobStore> _stores = [];

    protected TestClock Clock { get; } = new();

    /// <summary>Opens a new view of the one store under test, as a new process would.</summary>
    protected abstract IJobStore CreateStore();

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var s in _schedulers)
        {
            await s.DisposeAsync();
        }

        foreach (var store in _stores)
        {
            if (store is IAsyncDisposable d)
            {
                await d.DisposeAsync();
            }
        }
    }

    protected IJobStore OpenStore()
    {
        var store = CreateStore();
        _stores.Add(store);
        return store;
    }

    /// <summary>Starts a soft-mode scheduler on the store (one "process"), after <paramref name="register"/> added its jobs.</summary>
    protected async Task<JobScheduler> StartAsync(
        Action<JobScheduler> register,
        IJobStore? store = null,
        string node = "node-a",
        TimeProvider? clock = null,
        IJobDefinitionBinder? binder = null,
        Action<SchedulerOptions>? configure = null)
    {
        var options = new SchedulerOptions { Mode = SchedulerMode.Soft, ShutdownTimeout = TimeSpan.Zero, Store = store ?? OpenStore(), NodeName = node, DefinitionBinder = binder };
        configure?.Invoke(options);
        var s = new JobScheduler(options, clock ?? Clock);
        _schedulers.Add(s);
        register(s);
        await s.StartAsync();
        return s;
    }

    private static DateTimeOffset At(int minutes) => TestClock.Epoch.AddMinutes(minutes);

    [Theory]
    [InlineData(MisfirePolicy.Skip)]
    [InlineData(MisfirePolicy.RunOnce)]
    [InlineData(MisfirePolicy.RunAll)]
    public async Task Restart_AfterDowntime_CatchesUpByPolicy(MisfirePolicy policy)
    {
        var runs = new RunRecorder();
        var options = new JobOptions { Misfire = policy, MisfireGracePeriod = TimeSpan.FromMinutes(1) };
        var first = await StartAsync(s => s.AddOrUpdate("tick", Schedule.Cron("* * * * *"), runs.Action, options));
        for (var i = 0; i < 2; i++)
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            await first.PumpAndWaitAsync();
        }

        await first.StopAsync();
        Assert.Equal([At(1), At(2)], runs.ScheduledTimes("tick"));

        // Ten minutes down: 00:03 to 00:12 fell due, of which 00:03 to 00:10 are past the one-minute grace period.
        Clock.Advance(TimeSpan.FromMinutes(10));
        var second = await StartAsync(s => s.AddOrUpdate("tick", Schedule.Cron("* * * * *"), runs.Action, options));
        await second.PumpAndWaitAsync();
        var caughtUp = runs.ScheduledTimes("tick").Skip(2).ToArray();
        var job = second.GetJob("tick")!;
        switch (policy)
        {
            case MisfirePolicy.Skip:
                // The eight late occurrences are dropped and counted; the first within the grace period runs.
                Assert.Equal([At(11)], caughtUp);
                Assert.Equal(8, job.MisfireCount);
                break;
            case MisfirePolicy.RunOnce:
                // One run stands for all of them, with the time of the first that was missed.
                Assert.Equal([At(3)], caughtUp);
                Assert.Equal(8, job.MisfireCount);
                break;
            default:
                // Each runs, with its own scheduled time.
                Assert.Equal(Enumerable.Range(3, 10).Select(At), caughtUp);
                break;
        }

        Assert.Equal(2 + caughtUp.Length, job.RunCount);
        Assert.Equal(At(13), job.NextRun);
    }

    [Fact]
    public async Task OneTimeJob_RunsOnce_AcrossThreeRestarts()
    {
        var runs = new RunRecorder();
        void Register(JobScheduler s)
        {
            s.AddOrUpdate("once", Schedule.Once(At(5)), runs.Action);

            // Far past its grace period under Skip: dropped, and never run later either.
            s.AddOrUpdate("dropped", Schedule.Once(At(-60)), runs.Action, new JobOptions { Misfire = MisfirePolicy.Skip });
        }

        for (var process = 0; process < 3; process++)
        {
            var s = await StartAsync(Register);
            Clock.Advance(TimeSpan.FromMinutes(6));
            await s.PumpAndWaitAsync();
            var once = s.GetJob("once")!;
            Assert.Equal(JobStatus.Completed, once.Status);
            Assert.Equal(1, once.RunCount);
            Assert.Null(once.NextRun);
            Assert.Equal(1, s.GetJob("dropped")!.MisfireCount);
            await s.StopAsync();
        }

        Assert.Equal([At(5)], runs.ScheduledTimes("once"));
        Assert.Empty(runs.ScheduledTimes("dropped"));
    }

    [Fact]
    public async Task Restart_SameScheduleResumes_ChangedScheduleStartsAfresh()
    {
        var runs = new RunRecorder();
        var first = await StartAsync(s =>
        {
            s.AddOrUpdate("same", Schedule.Cron("*/5 * * * *"), runs.Action);
            s.AddOrUpdate("changed", Schedule.Cron("*/5 * * * *"), runs.Action);
        });
        Clock.Advance(TimeSpan.FromMinutes(5));
        await first.PumpAndWaitAsync();
        await first.StopAsync();

        Clock.Advance(TimeSpan.FromMinutes(25));
        var second = await StartAsync(s =>
        {
            s.AddOrUpdate("same", Schedule.Cron("*/5 * * * *"), runs.Action);
            s.AddOrUpdate("changed", Schedule.Cron("*/7 * * * *"), runs.Action);
        });
        await second.PumpAndWaitAsync();

        // Resumed from its stored next run (00:10): a misfire, caught up once under the default RunOnce.
        Assert.Equal([At(5), At(10)], runs.ScheduledTimes("same"));

        // A new schedule owes nothing for the past: next 00:35, counts kept.
        Assert.Equal([At(5)], runs.ScheduledTimes("changed"));
        var changed = second.GetJob("changed")!;
        Assert.Equal(At(35), changed.NextRun);
        Assert.Equal(1, changed.RunCount);
        Assert.Equal(0, changed.MisfireCount);
    }

    [Fact]
    public async Task Pause_SurvivesRestart()
    {
        var runs = new RunRecorder();
        var first = await StartAsync(s => s.AddOrUpdate("paused", Schedule.Cron("* * * * *"), runs.Action));
        Assert.True(first.Pause("paused"));
        await first.StopAsync();

        var second = await StartAsync(s => s.AddOrUpdate("paused", Schedule.Cron("* * * * *"), runs.Action));
        Clock.Advance(TimeSpan.FromMinutes(3));
        await second.PumpAndWaitAsync();
        Assert.Equal(JobStatus.Paused, second.GetJob("paused")!.Status);
        Assert.Empty(runs.Runs);

        // Resumed from now on: what fell due while paused is not owed.
        Assert.True(second.Resume("paused"));
        await second.PumpAndWaitAsync();
        Assert.Equal([At(3)], runs.ScheduledTimes("paused"));
        Assert.Equal(0, second.GetJob("paused")!.MisfireCount);
    }

    [Fact]
    public async Task CountsAndHistory_SurviveRestart()
    {
        var calls = 0;
        Func<JobContext, CancellationToken, ValueTask> action = (ctx, _) =>
        {
            ctx.Output = $"call {Interlocked.Increment(ref calls)}";
            return calls == 1 ? throw new InvalidOperationException("disk on fire") : default;
        };
        var first = await StartAsync(s => s.AddOrUpdate("job", Schedule.Cron("* * * * *"), action), node: "node-a");
        for (var i = 0; i < 2; i++)
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            await first.PumpAndWaitAsync();
        }

        await first.StopAsync();

        var second = await StartAsync(s => s.AddOrUpdate("job", Schedule.Cron("* * * * *"), action), node: "node-b");
        var job = second.GetJob("job")!;
        Assert.Equal((2L, 1L, 1L), (job.RunCount, job.SuccessCount, job.FailureCount));
        Assert.Equal(JobOutcome.Succeeded, job.LastOutcome);
        Assert.Equal(At(2), job.LastScheduledTime);
        Assert.Equal(At(3), job.NextRun);

        var history = await second.GetRunsAsync("job");
        Assert.Equal([At(2), At(1)], history.Select(r => r.ScheduledTime));
        Assert.Equal([JobOutcome.Succeeded, JobOutcome.Failed], history.Select(r => r.Outcome));
        Assert.All(history, r => Assert.Equal("node-a", r.Node));
        Assert.All(history, r => Assert.Equal(1, r.Attempt));
        Assert.All(history, r => Assert.NotNull(r.StartedTime));
        Assert.Equal("disk on fire", history[1].Error);
        Assert.Equal("call 1", history[1].Output);

        var page = await second.GetRunsAsync("job", new RunQuery(1, history[0].Id));
        Assert.Equal([At(1)], page.Select(r => r.ScheduledTime));
    }

    [Fact]
    public async Task SkippedOccurrences_AreKeptInHistory()
    {
        var first = await StartAsync(s => s.AddOrUpdate("late", Schedule.Cron("* * * * *"), (_, _) => default, new JobOptions { Misfire = MisfirePolicy.Skip }));
        Clock.Advance(TimeSpan.FromMinutes(5));
        await first.PumpAndWaitAsync();
        await first.StopAsync();

        var second = await StartAsync(_ => { });
        var history = await second.GetRunsAsync("late");
        var missed = Assert.Single(history, r => r.Skipped == SkipReason.Misfired);
        Assert.Equal(At(1), missed.ScheduledTime);
        Assert.Equal(3, missed.Count);
        Assert.Null(missed.Outcome);
        Assert.Single(history, r => r.Outcome == JobOutcome.Succeeded && r.ScheduledTime == At(4));
    }

    [Fact]
    public async Task ManyJobsDueAtOnce_EachOccurrenceStartsExactlyOnce()
    {
        // Whoever finds a run due only counts it; the writer starts it once its claim is won. A race between the two
        // would start some runs twice.
        var runs = new RunRecorder();
        var s = await StartAsync(s =>
        {
            for (var i = 0; i < 200; i++)
            {
                s.AddOrUpdate($"job-{i:D3}", Schedule.Cron("* * * * *"), runs.Action);
            }
        });
        for (var minute = 1; minute <= 5; minute++)
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(200, s.Pump());
            await s.IdleAsync();
        }

        var started = runs.Runs.Select(r => (r.JobId, r.ScheduledTime)).ToList();
        Assert.Equal(1_000, started.Count);
        Assert.Equal(1_000, started.Distinct().Count());
        Assert.All(s.GetJobs(), j => Assert.Equal(5, j.SuccessCount));
    }

    [Fact]
    public async Task TwoProcesses_SharingTheStore_RunEachOccurrenceOnce()
    {
        var runs = new RunRecorder();
        var a = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-a");
        var b = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-b");
        for (var i = 0; i < 5; i++)
        {
            await AdvanceToAsync(Clock.GetUtcNow().AddMinutes(1), a, b);
            await Task.WhenAll(Task.Run(a.PumpAndWaitAsync), Task.Run(b.PumpAndWaitAsync));
        }

        Assert.Equal(Enumerable.Range(1, 5).Select(At), runs.ScheduledTimes("shared").Order());
        Assert.Equal(5, a.GetJob("shared")!.RunCount + b.GetJob("shared")!.RunCount);
    }

    [Fact]
    public async Task PauseAndResume_OnOneProcess_ActOnEveryProcess()
    {
        var runs = new RunRecorder();
        var a = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-a");
        var b = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-b");

        // A pauses; B learns it at its next sync with the store (its maintenance tick, a third of the lease).
        Assert.True(a.Pause("shared"));
        await a.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await SyncAsync(a, b);
        Assert.Equal(JobStatus.Paused, b.GetJob("shared")!.Status);
        for (var i = 0; i < 2; i++)
        {
            await AdvanceToAsync(Clock.GetUtcNow().AddMinutes(1), a, b);
            await Task.WhenAll(Task.Run(a.PumpAndWaitAsync), Task.Run(b.PumpAndWaitAsync));
        }

        Assert.Empty(runs.Runs);

        // B resumes; A learns it, and the next occurrence runs once, on one of them.
        Assert.True(b.Resume("shared"));
        await b.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await SyncAsync(a, b);
        Assert.Equal(JobStatus.Scheduled, a.GetJob("shared")!.Status);
        await AdvanceToAsync(Clock.GetUtcNow().AddMinutes(1), a, b);
        await Task.WhenAll(Task.Run(a.PumpAndWaitAsync), Task.Run(b.PumpAndWaitAsync));
        Assert.Equal([At(3)], runs.ScheduledTimes("shared"));
    }

    [Fact]
    public async Task AnotherProcessesCounts_DoNotUndoAPause()
    {
        var runs = new RunRecorder();
        var a = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-a");

        // B does not hear of other processes' pauses (as if its syncs were all still to come), and claims on time even
        // what is A's share of the jobs.
        var b = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), store: new FlakyStore(OpenStore()) { Deaf = true }, node: "node-b", configure: Race);
        a.Pause("shared");
        await a.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // So it runs the job and writes its state (counts, next occurrence, not paused).
        Clock.Advance(TimeSpan.FromMinutes(1));
        await b.PumpAndWaitAsync();
        await b.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(runs.Runs);

        // A third process starts: the job is paused, as A said last.
        var c = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-c");
        Assert.Equal(JobStatus.Paused, c.GetJob("shared")!.Status);
    }

    [Fact]
    public async Task Remove_OnOneProcess_ActsOnEveryProcess_UntilAProcessRegistersTheJobAgain()
    {
        var runs = new RunRecorder();
        var a = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-a");
        var b = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-b");

        Assert.True(a.Remove("shared"));
        await a.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await SyncAsync(a, b);
        Assert.Null(a.GetJob("shared"));
        Assert.Null(b.GetJob("shared"));
        Clock.Advance(TimeSpan.FromMinutes(1));
        await Task.WhenAll(Task.Run(a.PumpAndWaitAsync), Task.Run(b.PumpAndWaitAsync));
        Assert.Empty(runs.Runs);

        // A process whose code registers the job (a restart) brings it back, for itself and for those started after it.
        var c = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-c");
        await SyncAsync(c);
        var d = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-d");
        await SyncAsync(c, d);
        Assert.NotNull(c.GetJob("shared"));
        Assert.NotNull(d.GetJob("shared"));
        Assert.Null(b.GetJob("shared"));
        await AdvanceToAsync(Clock.GetUtcNow().AddMinutes(1), a, b, c, d);
        await Task.WhenAll(Task.Run(c.PumpAndWaitAsync), Task.Run(d.PumpAndWaitAsync));
        Assert.Single(runs.ScheduledTimes("shared"));
    }

    [Fact]
    public async Task Unregister_ActsOnThisProcessOnly()
    {
        var runs = new RunRecorder();
        var a = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-a");
        var b = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-b");

        Assert.True(a.Unregister("shared"));
        await SyncAsync(a, b);

        Assert.Null(a.GetJob("shared"));
        Assert.NotNull(b.GetJob("shared"));
    }

    [Fact]
    public async Task Define_OnOneProcess_RunsOnEveryProcessThatKnowsTheTaskType_EachOccurrenceOnce()
    {
        var runs = new RunRecorder();
        var knows = new TextBinder(runs, "echo");
        var a = await StartAsync(_ => { }, node: "node-a", binder: knows);
        var b = await StartAsync(_ => { }, node: "node-b", binder: knows);
        var c = await StartAsync(_ => { }, node: "node-c", binder: new TextBinder(runs));

        Assert.True(a.Define("data", "* * * * *|echo"));
        Assert.False(c.Define("other", "0 0 * * *|echo")); // valid, but c cannot run it: the others do
        await a.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await c.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await SyncAsync(a, b, c);
        Assert.NotNull(b.GetJob("data"));
        Assert.NotNull(b.GetJob("other"));
        Assert.NotNull(a.GetJob("other"));
        Assert.Null(c.GetJob("data"));
        var before = runs.Runs.Count;
        await AdvanceToAsync(Clock.GetUtcNow().AddMinutes(1), a, b, c);
        await Task.WhenAll(Task.Run(a.PumpAndWaitAsync), Task.Run(b.PumpAndWaitAsync), Task.Run(c.PumpAndWaitAsync));

        Assert.Equal(before + 1, runs.Runs.Count);

        // Defined again elsewhere: every process takes the new schedule.
        b.Define("data", "0 * * * *|echo");
        await b.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await SyncAsync(a, b, c);
        Assert.Equal("0 * * * *", a.GetJob("data")!.Schedule.ToString());

        // A process started later finds it in the store.
        var d = await StartAsync(_ => { }, node: "node-d", binder: knows);
        Assert.Equal("0 * * * *", d.GetJob("data")!.Schedule.ToString());

        // Removed from the process that could never run it: gone everywhere, and from processes started later.
        Assert.True(c.Remove("data"));
        await c.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await SyncAsync(a, b, c, d);
        Assert.Null(a.GetJob("data"));
        Assert.Null(b.GetJob("data"));
        Assert.Null(d.GetJob("data"));
        var e = await StartAsync(_ => { }, node: "node-e", binder: knows);
        Assert.Null(e.GetJob("data"));
        Assert.NotNull(e.GetJob("other"));
    }

    [Fact]
    public async Task Define_Invalid_OrOverACodeJob_OrWithoutABinder_ThrowsAndStoresNothing()
    {
        var runs = new RunRecorder();
        var a = await StartAsync(s => s.AddOrUpdate("code", Schedule.Cron("* * * * *"), runs.Action), node: "node-a", binder: new TextBinder(runs, "echo"));
        var bare = await StartAsync(_ => { }, node: "node-b");

        var invalid = Assert.Throws<FormatException>(() => a.Define("data", "not a definition"));
        Assert.Contains("not a definition", invalid.Message, StringComparison.Ordinal);
        var taken = Assert.Throws<InvalidOperationException>(() => a.Define("code", "* * * * *|echo"));
        Assert.Contains("code", taken.Message, StringComparison.Ordinal);
        var unbound = Assert.Throws<InvalidOperationException>(() => bare.Define("data", "* * * * *|echo"));
        Assert.Contains(nameof(SchedulerOptions.DefinitionBinder), unbound.Message, StringComparison.Ordinal);

        await SyncAsync(a, bare);
        var later = await StartAsync(_ => { }, node: "node-c", binder: new TextBinder(runs, "echo"));
        Assert.Null(later.GetJob("data"));
        Assert.Null(later.GetJob("code"));
    }

    [Fact]
    public async Task Define_ThatAnotherProcessCannotBind_IsLoggedThere_AndItsOtherChangesStillApply()
    {
        var runs = new RunRecorder();
        var a = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-a", binder: new TextBinder(runs, "echo"));
        var b = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), node: "node-b", binder: new FailingBinder());

        a.Define("data", "* * * * *|echo");
        a.Pause("shared");
        await a.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await SyncAsync(a, b);

        Assert.Null(b.GetJob("data"));
        Assert.Equal(JobStatus.Paused, b.GetJob("shared")!.Status);
        Assert.NotNull(a.GetJob("data"));
    }

    /// <summary>A binder that fails as a buggy one would.</summary>
    private sealed class FailingBinder : IJobDefinitionBinder
    {
        public bool TryBind(JobScheduler scheduler, string jobId, string definition, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason) =>
            throw new InvalidOperationException("the binder is broken");
    }

    /// <summary>A binder of definitions written <c>cron|type</c>, which knows some task types and runs them all alike.</summary>
    private sealed class TextBinder(RunRecorder runs, params string[] types) : IJobDefinitionBinder
    {
        public bool TryBind(JobScheduler scheduler, string jobId, string definition, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
        {
            var parts = definition.Split('|');
            if (parts.Length != 2)
            {
                throw new FormatException($"'{definition}' is not cron|type");
            }

            if (!types.Contains(parts[1]))
            {
                reason = $"task type {parts[1]} is not known here";
                return false;
            }

            scheduler.AddOrUpdate(jobId, Schedule.Cron(parts[0]), runs.Action);
            reason = null;
            return true;
        }
    }

    [Fact]
    public async Task NodeRegistry_ListsEveryProcess_AndWhichStopped()
    {
        var a = await StartAsync(s => s.AddOrUpdate("job", Schedule.Cron("* * * * *"), (_, _) => default), node: "node-a");
        var b = await StartAsync(s => s.AddOrUpdate("job", Schedule.Cron("* * * * *"), (_, _) => default), node: "node-b");
        await SyncAsync(a, b);

        var list = await a.GetNodesAsync();
        Assert.Equal(["node-a", "node-b"], list.Nodes.Select(n => n.Node).Order());
        Assert.All(list.Nodes, n => Assert.Equal(NodeStatus.Running, n.GetStatus(list.Now)));
        Assert.All(list.Nodes, n => Assert.Equal(1, n.Jobs));
        Assert.All(list.Nodes, n => Assert.Equal(Environment.ProcessId, n.ProcessId));

        // B stops and says so; A's heartbeats go on.
        await b.StopAsync();
        await SyncAsync(a);
        list = await a.GetNodesAsync();
        Assert.Equal(NodeStatus.Stopped, list.Nodes.Single(n => n.Node == "node-b").GetStatus(list.Now));
        Assert.Equal(NodeStatus.Running, list.Nodes.Single(n => n.Node == "node-a").GetStatus(list.Now));
    }

    /// <summary>Lets each scheduler's maintenance tick (a third of the lease) pass, and waits until each has synced.</summary>
    private async Task SyncAsync(params JobScheduler[] schedulers)
    {
        Clock.Advance(new SchedulerOptions().LeaseDuration / 3);
        foreach (var s in schedulers)
        {
            await s.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task IntervalWithoutAnchor_CountsFromTheUnixEpoch_SoProcessesStartedApartAgree()
    {
        // Two processes that know nothing of each other's state (stores of their own) register the same interval job
        // at different times: both put its next run on the same grid, so sharing a store they would claim the same
        // occurrences, not one each.
        Clock.Advance(new TimeSpan(0, 3, 17));
        var a = await StartAsync(s => s.AddOrUpdate("sweep", Schedule.Every(TimeSpan.FromMinutes(10)), (_, _) => default), store: new InMemoryJobStore(), node: "node-a");
        Clock.Advance(new TimeSpan(0, 1, 24));
        var b = await StartAsync(s => s.AddOrUpdate("sweep", Schedule.Every(TimeSpan.FromMinutes(10)), (_, _) => default), store: new InMemoryJobStore(), node: "node-b");

        Assert.Equal(At(10), a.GetJob("sweep")!.NextRun);
        Assert.Equal(At(10), b.GetJob("sweep")!.NextRun);
    }

    [Fact]
    public async Task AbandonedRun_IsRecorded_AndAOneTimeJobRunsAgainElsewhere()
    {
        // Process A claims the run and hangs; its clock stands still, so it never renews the lease: as good as dead.
        var frozen = new TestClock();
        frozen.Advance(TimeSpan.FromMinutes(5));
        var hang = new Gate();
        var a = await StartAsync(s => s.AddOrUpdate("once", Schedule.Once(At(5)), hang.Action), node: "node-a", clock: frozen);
        a.Pump();
        await hang.WaitEnteredAsync();

        var runs = new RunRecorder();
        Clock.Advance(TimeSpan.FromMinutes(5));
        var b = await StartAsync(s => s.AddOrUpdate("once", Schedule.Once(At(5)), runs.Action), node: "node-b");
        await b.PumpAndWaitAsync();
        Assert.Empty(runs.Runs);

        // Past A's lease: B's sweep records A's run as abandoned and, as a one-time job asks, runs it again.
        Clock.Advance(TimeSpan.FromSeconds(20));
        await b.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await b.IdleAsync();
        await b.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([At(5)], runs.ScheduledTimes("once"));
        var job = b.GetJob("once")!;
        Assert.Equal(1, job.AbandonedCount);
        Assert.Equal(1, job.SuccessCount);

        // A wakes up and ends: its late outcome is refused, and history keeps both rows.
        hang.Release();
        await a.IdleAsync();
        await a.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var history = await b.GetRunsAsync("once");
        Assert.Equal(2, history.Count);
        Assert.Contains(history, r => r.Outcome == JobOutcome.Abandoned && r.Node == "node-a");
        Assert.Contains(history, r => r.Outcome == JobOutcome.Succeeded && r.Node == "node-b");
    }

    [Fact]
    public async Task StalledNode_WhoseLeaseWasTakenOver_IsFenced_AndCancelsItsRun()
    {
        // Node A starts a long run, then stalls: its clock stands still, so it renews nothing.
        var stalled = new TestClock();
        stalled.Advance(TimeSpan.FromMinutes(1));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = await StartAsync(
            s => s.AddOrUpdate("long", Schedule.Cron("* * * * *"), async (_, ct) =>
            {
                started.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    cancelled.TrySetResult();
                }
            }),
            node: "node-a",
            clock: stalled);
        stalled.Advance(TimeSpan.FromMinutes(1));
        a.Pump();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Node B, past A's lease (00:02:10 by A's clock), records A's run as abandoned when it opens the store.
        Clock.Advance(TimeSpan.FromSeconds(150));
        var b = await StartAsync(_ => { }, node: "node-b");
        await b.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(await b.GetRunsAsync("long"), r => r.Outcome == JobOutcome.Abandoned && r.Node == "node-a");

        // A wakes up: its renewal is refused, so it cancels the run rather than finish an occurrence another may rerun.
        stalled.Advance(TimeSpan.FromSeconds(4));
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await a.IdleAsync();
        var job = a.GetJob("long")!;
        Assert.Equal(JobOutcome.Cancelled, job.LastOutcome);
        Assert.Contains("took over its lease", job.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingStore_StartsNothingUnclaimed_SaysSo_AndRecovers()
    {
        var store = new FlakyStore(OpenStore());
        var runs = new RunRecorder();
        var s = await StartAsync(s => s.AddOrUpdate("job", Schedule.Cron("* * * * *"), runs.Action), store);
        await s.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));

        store.Failing = true;
        var timers = Clock.TimersCreated;
        Clock.Advance(TimeSpan.FromMinutes(1));
        await s.PumpAndWaitAsync();
        Assert.Empty(runs.Runs);
        Assert.Contains("disk full", s.GetStatus().StoreError);

        // The writer backs off on the scheduler's clock, then writes what it kept (the job's state) once it can.
        await Clock.WhenTimersCreatedAsync(timers + 1);
        await RecoverAsync(s, store, TimeSpan.FromSeconds(10));
        Assert.Null(s.GetStatus().StoreError);

        // The occurrence that could not be claimed was due all along: within its grace period, it runs now.
        await s.PumpAndWaitAsync();
        Assert.Equal([At(1)], runs.ScheduledTimes("job"));

        // Later runs are claimed and run as usual.
        Clock.Advance(TimeSpan.FromMinutes(1));
        await s.PumpAndWaitAsync();
        Assert.Equal([At(1), At(2)], runs.ScheduledTimes("job"));
    }

    [Fact]
    public async Task AClaimThatComesWhileTheWriterBacksOff_IsTriedAtOnce()
    {
        var store = new FlakyStore(OpenStore());
        var runs = new RunRecorder();
        var s = await StartAsync(s => s.AddOrUpdate("job", Schedule.Cron("0 0 1 1 *"), runs.Action), store);
        await s.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // The maintenance tick's sweep fails: the writer backs off on the scheduler's clock, which then stands still.
        store.Failing = true;
        var timers = Clock.TimersCreated;
        Clock.Advance(new SchedulerOptions().LeaseDuration / 3);
        await Clock.WhenTimersCreatedAsync(timers + 1);

        // A triggered run waits for its claim: the writer tries it now, not when the back-off ends, and the run is
        // skipped as the store cannot take it.
        Assert.True(s.Trigger("job"));
        await s.IdleAsync();
        Assert.Empty(runs.Runs);
        Assert.Equal(1, s.GetJob("job")!.SkipCount);
    }

    [Theory]
    [InlineData(MisfirePolicy.Skip)]
    [InlineData(MisfirePolicy.RunOnce)]
    public async Task StoreOutage_OccurrencesMissedMeanwhile_FollowTheMisfirePolicyWhenItReturns(MisfirePolicy policy)
    {
        var store = new FlakyStore(OpenStore());
        var runs = new RunRecorder();
        var options = new JobOptions { Misfire = policy, MisfireGracePeriod = TimeSpan.FromMinutes(1) };
        var s = await StartAsync(s => s.AddOrUpdate("job", Schedule.Cron("* * * * *"), runs.Action, options), store);
        await s.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));

        // Five minutes without a store: every pump finds 00:01 due and starts nothing. Each minute the writer tries
        // again and fails, and backs off on the scheduler's clock (a new timer).
        store.Failing = true;
        for (var i = 0; i < 5; i++)
        {
            var timers = Clock.TimersCreated;
            Clock.Advance(TimeSpan.FromMinutes(1));
            await s.PumpAndWaitAsync();
            await Clock.WhenTimersCreatedAsync(timers + 1);
        }

        Assert.Empty(runs.Runs);
        Assert.Equal(0, s.GetJob("job")!.SkipCount);
        Assert.NotNull(s.GetStatus().StoreError);

        // The store is back at 00:05:10: 00:01 to 00:04 are past the one-minute grace period, 00:05 is within it.
        await RecoverAsync(s, store, TimeSpan.FromSeconds(10));
        await s.PumpAndWaitAsync();
        var job = s.GetJob("job")!;
        Assert.Null(s.GetStatus().StoreError);
        if (policy == MisfirePolicy.Skip)
        {
            Assert.Equal(4, job.MisfireCount);
            Assert.Equal([At(5)], runs.ScheduledTimes("job"));
        }
        else
        {
            // One run stands for all of them, with the time of the first that was missed.
            Assert.Equal([At(1)], runs.ScheduledTimes("job"));
        }
    }

    [Fact]
    public async Task ARun_WritesItsJobStateOnce_AndAProcessThatLostTheClaimWritesNone()
    {
        var runs = new RunRecorder();
        var aStore = new FlakyStore(OpenStore());
        var bStore = new FlakyStore(OpenStore());
        // Claims that race: each process claims every occurrence (no division of the jobs between them).
        var a = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), aStore, node: "node-a", configure: Race);
        var b = await StartAsync(s => s.AddOrUpdate("shared", Schedule.Cron("* * * * *"), runs.Action), bStore, node: "node-b", configure: Race);
        await a.FlushAsync();
        await b.FlushAsync();
        aStore.StatesWritten = 0;
        bStore.StatesWritten = 0;

        // A claims and runs each occurrence first; B finds each one claimed.
        for (var i = 0; i < 3; i++)
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            await a.PumpAndWaitAsync();
            await a.FlushAsync();
            await b.PumpAndWaitAsync();
            await b.FlushAsync();
        }

        Assert.Equal(3, runs.Runs.Count);
        Assert.Equal(3, aStore.StatesWritten);
        Assert.Equal(0, bStore.StatesWritten);
    }

    /// <summary>The <see cref="SchedulerOptions.PeerClaimDelay"/> the tests of the division of jobs run with (the default, said where it counts).</summary>
    private static readonly TimeSpan DivisionDelay = TimeSpan.FromSeconds(1);

    /// <summary>Options for a test of claims that race: every process claims every occurrence on time.</summary>
    private static void Race(SchedulerOptions options) => options.PeerClaimDelay = TimeSpan.Zero;

    /// <summary>
    /// Moves the clock to a time ahead in steps of one maintenance tick (a third of the lease), letting each scheduler
    /// finish its writes and its maintenance after each: as on real clocks, every running process beats its heart in the
    /// registry between two reads of it by another, so none of them looks lost to the others.
    /// </summary>
    private async Task AdvanceToAsync(DateTimeOffset time, params JobScheduler[] schedulers)
    {
        var tick = new SchedulerOptions().LeaseDuration / 3;
        while (Clock.GetUtcNow() < time)
        {
            var left = time - Clock.GetUtcNow();
            Clock.Advance(left < tick ? left : tick);
            foreach (var s in schedulers)
            {
                await s.FlushAsync();
            }
        }
    }

    /// <summary>Pumps each scheduler, waits for its runs, and lets it write what they left.</summary>
    private static async Task PumpAllAsync(params JobScheduler[] schedulers)
    {
        await Task.WhenAll(schedulers.Select(s => Task.Run(s.PumpAndWaitAsync)));
        foreach (var s in schedulers)
        {
            await s.FlushAsync();
        }
    }

    /// <summary>
    /// Starts three processes on the store, each with the same every-minute jobs, and lets each read the registry on its
    /// maintenance tick: three processes running, with the same jobs, which they divide.
    /// </summary>
    private async Task<(JobScheduler[] Nodes, FlakyStore[] Stores)> StartThreeSharingAsync(int jobs, RunRecorder runs, int count = 3)
    {
        var stores = Enumerable.Range(0, count).Select(_ => new FlakyStore(OpenStore())).ToArray();
        var nodes = new JobScheduler[count];
        for (var n = 0; n < count; n++)
        {
            nodes[n] = await StartAsync(s => AddMinuteJobs(s, jobs, runs), stores[n], node: $"node-{n}", configure: o => o.PeerClaimDelay = DivisionDelay);
        }

        await SyncAsync(nodes);
        return (nodes, stores);
    }

    private static void AddMinuteJobs(JobScheduler s, int count, RunRecorder runs)
    {
        for (var i = 0; i < count; i++)
        {
            s.AddOrUpdate($"job-{i:D2}", Schedule.Cron("* * * * *"), runs.Action);
        }
    }

    /// <summary>Three processes sharing the jobs (<see cref="StartThreeSharingAsync"/>) at 00:01, before they pump, with their stores' counts at zero.</summary>
    private async Task<(JobScheduler[] Nodes, FlakyStore[] Stores)> ThreeSharingAtTheMinuteAsync(int jobs, RunRecorder runs)
    {
        var (nodes, stores) = await StartThreeSharingAsync(jobs, runs);
        await AdvanceToAsync(At(1), nodes);
        foreach (var store in stores)
        {
            (store.ClaimsWritten, store.ClaimsWon) = (0, 0);
        }

        return (nodes, stores);
    }

    [Fact]
    public async Task ProcessesSharingTheStore_DivideTheJobs_EachClaimsItsShareOnTime_AndForgetsWhatTheOthersVouchedFor()
    {
        const int Jobs = 60;
        var runs = new RunRecorder();
        var (nodes, stores) = await ThreeSharingAtTheMinuteAsync(Jobs, runs);

        // Every occurrence is claimed on time, by one process only, and each process has a share.
        await PumpAllAsync(nodes);
        Assert.Equal(Jobs, runs.Runs.Count);
        Assert.Equal(Jobs, stores.Sum(s => s.ClaimsWritten));
        Assert.All(nodes, s => Assert.InRange(s.GetJobs().Sum(j => j.RunCount), 1, Jobs - 2));

        // The others set those occurrences aside; each process's next heartbeats vouch for its share, and the others
        // forget them rather than claim them late: past the delay and two ticks, no claim more, and history has one row
        // an occurrence.
        await AdvanceToAsync(At(1) + DivisionDelay + (2 * (new SchedulerOptions().LeaseDuration / 3)), nodes);
        await PumpAllAsync(nodes);
        Assert.Equal(Jobs, runs.Runs.Count);
        Assert.Equal(Jobs, stores.Sum(s => s.ClaimsWritten));
        for (var i = 0; i < Jobs; i++)
        {
            var history = await nodes[0].GetRunsAsync($"job-{i:D2}");
            Assert.Equal(JobOutcome.Succeeded, Assert.Single(history).Outcome);
        }

        // The same the next minute, with the division settled.
        await AdvanceToAsync(At(2), nodes);
        await PumpAllAsync(nodes);
        await AdvanceToAsync(At(2) + TimeSpan.FromSeconds(10), nodes);
        await PumpAllAsync(nodes);
        Assert.Equal(2 * Jobs, runs.Runs.Count);
        Assert.Equal(2 * Jobs, stores.Sum(s => s.ClaimsWritten));
    }

    [Fact]
    public async Task AProcessThatJoinsJustBeforeAMinute_MakesNoProcessClaimLate_EachWaitsForThePeersToSeeIt()
    {
        const int Jobs = 60;
        var runs = new RunRecorder();
        var (first, firstStores) = await StartThreeSharingAsync(Jobs, runs, count: 2);
        await AdvanceToAsync(At(1) - TimeSpan.FromSeconds(1), first);

        // A third process starts a second before the minute: it takes the three as its peers at once, while the two
        // others see it late (their registry reads fail until two seconds past the minute), and say so in the heartbeat
        // after that. Meanwhile their heartbeats name other peers than its own. Each occurrence is claimed on time, by
        // whoever counts it as its own (twice for the jobs that move to the newcomer, by it and by their old process);
        // nobody claims one late, since the heartbeats that answer come within two intervals and vouch for what was
        // claimed.
        Array.ForEach(firstStores, s => s.RegistryUnreadable = true);
        var third = new FlakyStore(OpenStore());
        var joined = await StartAsync(s => AddMinuteJobs(s, Jobs, runs), third, node: "node-2", configure: o => o.PeerClaimDelay = DivisionDelay);
        JobScheduler[] nodes = [.. first, joined];
        FlakyStore[] stores = [.. firstStores, third];
        // Half-second steps, pumping each process at each: every heartbeat and registry read comes at its own time.
        while (Clock.GetUtcNow() < At(1) + TimeSpan.FromSeconds(14))
        {
            Clock.Advance(TimeSpan.FromMilliseconds(500));
            if (Clock.GetUtcNow() == At(1) + TimeSpan.FromSeconds(2))
            {
                Array.ForEach(firstStores, s => s.RegistryUnreadable = false);
            }

            await PumpAllAsync(nodes);
        }

        Assert.Equal(Jobs, runs.Runs.Count);
        Assert.Equal(Jobs, runs.Runs.Select(r => r.JobId).Distinct().Count());
        Assert.All(stores, s => Assert.Equal(0, s.LateClaims));

        // The next minute, each job is claimed once, on time.
        var claims = stores.Sum(s => s.ClaimsWritten);
        await AdvanceToAsync(At(2), nodes);
        await PumpAllAsync(nodes);
        Assert.Equal(2 * Jobs, runs.Runs.Count);
        Assert.Equal(claims + Jobs, stores.Sum(s => s.ClaimsWritten));
        Assert.All(nodes, s => Assert.InRange(s.GetJobs().Sum(j => j.RunCount), 1, 2 * Jobs - 2));
    }

    [Fact]
    public async Task AProcessWhoseRegistryReadsStall_DoesNotTakeItsLivePeersOccurrences_TheirHeartbeatsAreJudgedWhenRead()
    {
        const int Jobs = 60;
        var runs = new RunRecorder();
        var (nodes, stores) = await ThreeSharingAtTheMinuteAsync(Jobs, runs);

        // Node 0 sets its peers' occurrences aside, then its registry reads fail: the last it has shows heartbeats
        // that grow older on its clock. Its peers beat on; judged at the read, they never missed one, so node 0 claims
        // none of their occurrences late, at each pump through the seconds a missed heartbeat would take.
        await PumpAllAsync(nodes);
        Assert.Equal(Jobs, runs.Runs.Count);
        var own = stores[0].ClaimsWritten;
        stores[0].RegistryUnreadable = true;
        var tick = new SchedulerOptions().LeaseDuration / 3;
        for (var i = 0; i < 4; i++)
        {
            await AdvanceToAsync(Clock.GetUtcNow() + tick, nodes);
            await PumpAllAsync(nodes);
        }

        Assert.Equal(own, stores[0].ClaimsWritten);

        // Its reads come back: the peers' heartbeats vouch for their shares, and nothing is claimed late.
        stores[0].RegistryUnreadable = false;
        await AdvanceToAsync(Clock.GetUtcNow() + tick, nodes);
        await PumpAllAsync(nodes);
        Assert.Equal(own, stores[0].ClaimsWritten);
        Assert.Equal(Jobs, stores.Sum(s => s.ClaimsWritten));
        Assert.Equal(Jobs, runs.Runs.Count);
    }

    [Fact]
    public async Task AProcessThatStopsClaiming_CostsNoOccurrence_ItsShareRunsLateOnceItMissedAHeartbeat_ThenOnTimeElsewhere()
    {
        const int Jobs = 60;
        var runs = new RunRecorder();
        var (nodes, stores) = await StartThreeSharingAsync(Jobs, runs);
        var delay = DivisionDelay;

        // Node 2 loses the store just before the minute (as good as dead to the others, which still count it as running):
        // its share is not claimed on time.
        await AdvanceToAsync(At(1) - TimeSpan.FromSeconds(1), nodes);
        stores[2].Failing = true;
        var alive = nodes[..2];
        await AdvanceToAsync(At(1), alive);
        await PumpAllAsync(alive);
        var onTime = runs.Runs.Count;
        Assert.InRange(onTime, 1, Jobs - 1);
        Assert.All(runs.Runs, r => Assert.Equal(At(1), r.ScheduledTime));

        // Once it has missed a heartbeat (half an interval late), the others claim its share late, and each occurrence
        // runs once, before the registry counts it as lost.
        var interval = new SchedulerOptions().LeaseDuration / 3;
        await AdvanceToAsync(At(1) + delay, alive);
        await PumpAllAsync(alive);
        Assert.Equal(onTime, runs.Runs.Count);
        await AdvanceToAsync(At(1) + interval + (interval / 2) + delay, alive);
        await PumpAllAsync(alive);
        Assert.Equal(Jobs, runs.Runs.Count);
        Assert.Equal(Jobs, runs.Runs.Select(r => r.JobId).Distinct().Count());
        var registry = await nodes[0].GetNodesAsync();
        Assert.Equal(NodeStatus.Running, registry.Nodes.Single(n => n.Node == "node-2").GetStatus(registry.Now));

        // The next minute the registry counts it as lost, its share moves, and every job runs on time.
        await AdvanceToAsync(At(2), alive);
        await PumpAllAsync(alive);
        Assert.Equal(2 * Jobs, runs.Runs.Count);

        // Node 2 gets the store back: the occurrences it could not claim went back to its jobs, and its misfire policy
        // claims them again now; each was run, so it runs none of them twice.
        stores[2].Failing = false;
        await AdvanceToAsync(At(2) + TimeSpan.FromSeconds(10), alive);
        await nodes[2].FlushAsync(); // its writer's back-off (at most 5 s) is over
        await PumpAllAsync(nodes);
        await AdvanceToAsync(At(2) + TimeSpan.FromSeconds(10) + delay, nodes);
        await PumpAllAsync(nodes);
        Assert.Equal(2 * Jobs, runs.Runs.Count);
        Assert.Equal(2 * Jobs, runs.Runs.Select(r => (r.JobId, r.ScheduledTime)).Distinct().Count());
    }

    [Fact]
    public async Task ClaimedRuns_ThatFindTheQueueFull_WaitBeyondItsCapacity_NoneIsRejected()
    {
        // One slot, a queue of two, five jobs due at once: the first run holds the slot, the other four won claims find
        // two places. Their claims are written, so none is rejected: the two the queue cannot hold wait beyond it.
        var hang = new Gate();
        var s = await StartAsync(
            s =>
            {
                for (var i = 0; i < 5; i++)
                {
                    s.AddOrUpdate($"job-{i}", Schedule.Cron("* * * * *"), hang.Action);
                }
            },
            configure: o => (o.MaxConcurrentRuns, o.QueueCapacity) = (1, 2));
        Clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await hang.WaitEnteredAsync();
        await s.FlushAsync();
        Assert.Equal(4, s.GetStatus().QueueLength);

        hang.Release();
        await s.IdleAsync();
        await s.FlushAsync();

        Assert.Equal(5, hang.Entries);
        Assert.All(s.GetJobs(), j => Assert.Equal((1L, 0L), (j.SuccessCount, j.RejectedCount)));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(JobOutcome.Succeeded, Assert.Single(await s.GetRunsAsync($"job-{i}")).Outcome);
        }
    }

    [Fact]
    public async Task SkipsWhileTheWriterLags_JoinOneHistoryRow()
    {
        var store = new FlakyStore(OpenStore());
        var hang = new Gate();
        var s = await StartAsync(s => s.AddOrUpdate("slow", Schedule.Cron("* * * * *"), hang.Action), store);
        Clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await hang.WaitEnteredAsync();
        await s.FlushAsync();

        // The run hangs, and the store refuses writes: each minute's occurrence is skipped as busy, and waits to be written.
        store.Failing = true;
        for (var i = 0; i < 3; i++)
        {
            var timers = Clock.TimersCreated;
            Clock.Advance(TimeSpan.FromMinutes(1));
            s.Pump();
            await Clock.WhenTimersCreatedAsync(timers + 1);
        }

        await RecoverAsync(s, store, TimeSpan.FromSeconds(10));
        hang.Release();
        await s.IdleAsync();
        await s.FlushAsync();

        var history = await s.GetRunsAsync("slow");
        var busy = Assert.Single(history, r => r.Skipped == SkipReason.Busy);
        Assert.Equal((At(2), 3L), (busy.ScheduledTime, busy.Count));
        Assert.Equal(3, s.GetJob("slow")!.SkipCount);
        Assert.Single(history, r => r.Outcome == JobOutcome.Succeeded && r.ScheduledTime == At(1));
    }

    /// <summary>
    /// Lets a store that failed work again: moves the clock on by <paramref name="after"/>, and on past every writer's
    /// back-off until the writers have written what they kept. A writer (one of several) that was still failing when the
    /// clock moved backs off on a timer the move did not reach; each such new timer is moved past too, a back-off being at
    /// most 5 s. Without this, whether the test waits for a back-off that never ends depends on the thread pool.
    /// </summary>
    private async Task RecoverAsync(JobScheduler s, FlakyStore store, TimeSpan after)
    {
        store.Failing = false;
        var flushed = s.FlushStoreAsync();
        var timers = Clock.TimersCreated;
        Clock.Advance(after);
        for (var moves = 0; ; moves++)
        {
            var backOff = Clock.WhenTimersCreatedAsync(timers + 1);
            if (await Task.WhenAny(flushed, backOff) == flushed || moves == 4)
            {
                break;
            }

            timers = Clock.TimersCreated;
            Clock.Advance(TimeSpan.FromSeconds(5));
        }

        await flushed.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Passes calls through to a real store, or fails every write while <see cref="Failing"/> is set.</summary>
    private sealed class FlakyStore(IJobStore inner) : IJobStore
    {
        public volatile bool Failing;

        /// <summary>Gets whether the process never hears of other processes' pauses and resumes.</summary>
        public bool Deaf { get; init; }

        public ValueTask<IReadOnlyList<JobState>> OpenAsync(string node, CancellationToken cancellationToken) => inner.OpenAsync(node, cancellationToken);

        private int _statesWritten;

        /// <summary>Gets or sets how many job states the scheduler handed over in successful writes.</summary>
        public int StatesWritten
        {
            get => Volatile.Read(ref _statesWritten);
            set => Volatile.Write(ref _statesWritten, value);
        }

        /// <summary>As many writers as the real store asks for, so that the failures hit each of them.</summary>
        public int WriteConcurrency => inner.WriteConcurrency;

        private int _claimsWritten;
        private int _claimsWon;
        private int _lateClaims;

        /// <summary>Gets how many of the claims written were made a <see cref="DivisionDelay"/> or more after their occurrence.</summary>
        public int LateClaims => Volatile.Read(ref _lateClaims);

        /// <summary>Gets or sets how many claims the scheduler handed over in successful writes, won or lost.</summary>
        public int ClaimsWritten
        {
            get => Volatile.Read(ref _claimsWritten);
            set => Volatile.Write(ref _claimsWritten, value);
        }

        /// <summary>Gets or sets how many of those claims were won.</summary>
        public int ClaimsWon
        {
            get => Volatile.Read(ref _claimsWon);
            set => Volatile.Write(ref _claimsWon, value);
        }

        public async ValueTask<StoreWriteResult> WriteAsync(StoreBatch batch, CancellationToken cancellationToken)
        {
            if (Failing)
            {
                throw new JobStoreException("Job store 'test.db': disk full.");
            }

            var result = await inner.WriteAsync(batch, cancellationToken);
            Interlocked.Add(ref _lateClaims, batch.Claims.Count(c => c.StartedTime - c.ScheduledTime >= DivisionDelay));
            Interlocked.Add(ref _statesWritten, batch.States.Count);
            Interlocked.Add(ref _claimsWritten, batch.Claims.Count);
            Interlocked.Add(ref _claimsWon, result.ClaimIds.Count(id => id > 0));
            return result;
        }

        public ValueTask<IReadOnlyList<RunRecord>> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
            => Failing ? throw new JobStoreException("Job store 'test.db': disk full.") : inner.AbandonExpiredAsync(now, cancellationToken);

        public ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query, CancellationToken cancellationToken) => inner.GetRunsAsync(jobId, query, cancellationToken);

        public ValueTask<StoreSync> SyncAsync(NodeHeartbeat heartbeat, long sinceVersion, CancellationToken cancellationToken)
            => Failing ? throw new JobStoreException("Job store 'test.db': disk full.") : inner.SyncAsync(heartbeat, Deaf ? long.MaxValue : sinceVersion, cancellationToken);

        /// <summary>Gets or sets whether reads of the node registry fail (heartbeats and writes still succeed).</summary>
        public bool RegistryUnreadable { get; set; }

        public ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken)
            => RegistryUnreadable ? throw new JobStoreException("Job store 'test.db': registry read timed out.") : inner.GetNodesAsync(cancellationToken);
    }
}
