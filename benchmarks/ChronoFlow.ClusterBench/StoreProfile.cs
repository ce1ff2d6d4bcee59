using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;

namespace ChronoFlow.ClusterBench;

/// <summary>
/// Where a write's time goes: <see cref="PostgreSqlJobStore.WriteAsync"/> called directly, in this process, with
/// batches of one kind of row at a time (claims only, finishes only, job states only, and the two mixes the scheduler
/// sends), 1,000 rows a batch as in a second of the 1k scenario, and a one-claim batch for the floor (round trip,
/// commit, fsync). The store writes each kind of row of a batch as one statement over arrays (<c>unnest</c>), so a
/// batch of 1,000 claims is one <c>INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING</c>; the
/// hand-written statement of that shape that this profile used to compare against is what the store itself sends now,
/// and is no longer measured.
/// </summary>
internal static class StoreProfile
{
    private const int Rows = 1_000;
    private const int Rounds = 8;

    public static async Task<JsonObject> RunAsync(NpgsqlDataSource db, string connectionString, string schema, int postmaster)
    {
        await using var store = new PostgreSqlJobStore(new PostgreSqlJobStoreOptions { ConnectionString = connectionString, Schema = schema, RetentionInterval = Timeout.InfiniteTimeSpan });
        await store.OpenAsync("profile", CancellationToken.None);
        var ids = Enumerable.Range(0, Rows).Select(JobIds.Hot).ToArray();
        var schedule = Schedule.Cron("* * * * * *").ToString();
        var baseTime = new DateTimeOffset(DateTimeOffset.UtcNow.UtcTicks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var round = 0;
        var result = new JsonObject { ["rowsPerBatch"] = Rows, ["rounds"] = Rounds };

        StoreBatch NewBatch(DateTimeOffset now) => new() { Node = "profile", Owner = "profile", Now = now, LeaseDuration = TimeSpan.FromSeconds(10) };
        JobState State(string id, DateTimeOffset at) => new() { JobId = id, Schedule = schedule, NextOccurrence = at.AddSeconds(1), RunCount = round, SuccessCount = round, LastRun = at, LastScheduledTime = at, LastDuration = TimeSpan.FromTicks(100), LastOutcome = JobOutcome.Succeeded };

        // Every kind is measured over the same rounds; each round is a new second, so claims never conflict.
        var claimed = new List<long[]>();
        async Task<double> Claims(bool withStates)
        {
            var at = baseTime.AddSeconds(++round);
            var batch = NewBatch(at);
            foreach (var id in ids)
            {
                batch.Add(new RunClaim(id, at, false, at));
                if (withStates)
                {
                    batch.Add(State(id, at));
                }
            }

            var sw = Stopwatch.StartNew();
            var answer = await store.WriteAsync(batch, CancellationToken.None);
            var elapsed = sw.Elapsed.TotalMilliseconds;
            claimed.Add([.. answer.ClaimIds]);
            return elapsed;
        }

        async Task<double> Finishes(long[] claimIds, bool withStates)
        {
            var at = baseTime.AddSeconds(round);
            var batch = NewBatch(at);
            for (var i = 0; i < Rows; i++)
            {
                batch.Add(new RunRecord { Id = claimIds[i], JobId = ids[i], ScheduledTime = at, Node = "profile", StartedTime = at, EndedTime = at.AddMilliseconds(1), Outcome = JobOutcome.Succeeded, Attempt = 1 });
                if (withStates)
                {
                    batch.Add(State(ids[i], at));
                }
            }

            var sw = Stopwatch.StartNew();
            await store.WriteAsync(batch, CancellationToken.None);
            return sw.Elapsed.TotalMilliseconds;
        }

        async Task<double> States()
        {
            var at = baseTime.AddSeconds(round);
            var batch = NewBatch(at);
            foreach (var id in ids)
            {
                batch.Add(State(id, at));
            }

            var sw = Stopwatch.StartNew();
            await store.WriteAsync(batch, CancellationToken.None);
            return sw.Elapsed.TotalMilliseconds;
        }

        async Task<double> OneClaim()
        {
            var at = baseTime.AddSeconds(++round);
            var batch = NewBatch(at);
            batch.Add(new RunClaim(ids[0], at, false, at));
            var sw = Stopwatch.StartNew();
            await store.WriteAsync(batch, CancellationToken.None);
            return sw.Elapsed.TotalMilliseconds;
        }

        // A warm-up of each, so that statements are prepared and pages cached, then the measured rounds.
        await Claims(withStates: true);
        await Finishes(claimed[^1], withStates: true);
        await OneClaim();
        claimed.Clear();

        async Task Measure(string name, Func<Task<double>> write, int rows)
        {
            var times = new List<double>();
            var self = Process.GetCurrentProcess();
            var client0 = self.TotalProcessorTime.TotalSeconds;
            var cpu0 = Cpu.TreeSeconds(postmaster);
            for (var i = 0; i < Rounds; i++)
            {
                times.Add(await write());
            }

            var cpu = Cpu.TreeSeconds(postmaster) - cpu0;
            self.Refresh();
            var client = self.TotalProcessorTime.TotalSeconds - client0;
            times.Sort();
            var median = times[times.Count / 2];
            result[name] = new JsonObject
            {
                ["medianMsPerBatch"] = Math.Round(median, 2),
                ["microsecondsPerRow"] = Math.Round(median * 1000 / rows, 1),
                ["postgresCpuMicrosecondsPerRow"] = Math.Round(cpu * 1e6 / (rows * (double)Rounds), 1),
                ["clientCpuMicrosecondsPerRow"] = Math.Round(client * 1e6 / (rows * (double)Rounds), 1),
            };
        }

        await Measure("claims", () => Claims(withStates: false), Rows);
        var claimsOnly = claimed.ToList();
        var next = 0;
        await Measure("finishes", () => Finishes(claimsOnly[next++], withStates: false), Rows);
        await Measure("states", States, Rows);
        claimed.Clear();
        await Measure("claimsWithStates", () => Claims(withStates: true), Rows);
        var withStates = claimed.ToList();
        next = 0;
        await Measure("finishesWithStates", () => Finishes(withStates[next++], withStates: true), Rows);
        await Measure("oneClaim", OneClaim, 1);
        return result;
    }
}
