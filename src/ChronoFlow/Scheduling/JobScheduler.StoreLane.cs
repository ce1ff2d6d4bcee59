using System.Threading.Channels;

namespace ChronoFlow;

public sealed partial class JobScheduler
{
    /// <summary>
    /// One of the store's writers and what waits for it: the claims, history rows and job states of its share of the
    /// jobs. A store with <see cref="IJobStore.WriteConcurrency"/> above 1 gets that many, so that several batches are in
    /// flight at once (on a database server, on several connections and cores); a job's rows always go through the same
    /// lane, so the order of one job's writes, and the rule that a stored cursor never passes an unwritten claim, hold
    /// per lane as they would with one writer. A job's controls (pause, resume, remove, define) go through its lane too,
    /// after its state row. Lane 0 also carries the maintenance: the renewal of every running run's lease, then, in
    /// the same pass, the sweep of expired leases (so that this process never sweeps a lease of its own that it was
    /// about to renew) and the sync with the other processes. Every field but <see cref="BackgroundLoop.Wake"/>,
    /// <see cref="Batch"/> and <see cref="BackgroundLoop.Loop"/> is guarded by the scheduler's lock.
    /// </summary>
    private sealed class StoreLane(int index) : BackgroundLoop
    {
        public readonly int Index = index;

        /// <summary>The batch this lane writes; reused, touched only by its writer.</summary>
        public readonly StoreBatch Batch = new();

        public List<ScheduledRun> Claims = [];

        /// <summary>The earliest occurrence among <see cref="Claims"/>, UTC ticks; meaningful while there is one.</summary>
        public long ClaimsMin;

        /// <summary>The earliest occurrence among the claims being written, UTC ticks; <see cref="long.MaxValue"/> while none is.</summary>
        public long WritingMin = long.MaxValue;
        public readonly List<RunRecord> Records = [];

        /// <summary>Where in <see cref="Records"/> each job's unwritten row of skipped occurrences is, by reason.</summary>
        public readonly Dictionary<(string JobId, SkipReason Reason), int> Skips = [];

        public readonly List<JobEntry> Dirty = [];

        /// <summary>Pauses, resumes, removals and definitions of this lane's jobs, for every process sharing the store.</summary>
        public readonly List<JobControl> Controls = [];

        /// <summary>Cancelled when a claim comes while the writer backs off.</summary>
        public CancellationTokenSource? ClaimWhileBackingOff;
    }

    /// <summary>
    /// A background loop of the store's (a writer, or the sync with the other processes): what wakes it, at most one
    /// wake-up pending; who waits for it to be idle (guarded by the scheduler's lock); and its task.
    /// </summary>
    private class BackgroundLoop
    {
        public readonly Channel<bool> Wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

        public readonly List<TaskCompletionSource> FlushWaiters = [];

        public Task? Loop;

        public void Signal() => Wake.Writer.TryWrite(true);

        /// <summary>Tells those waiting that the loop is idle; under the scheduler's lock.</summary>
        public void CompleteFlushWaitersLocked()
        {
            foreach (var waiter in FlushWaiters)
            {
                waiter.TrySetResult();
            }

            FlushWaiters.Clear();
        }
    }

    /// <summary>The writers: one, or <see cref="IJobStore.WriteConcurrency"/> (at most 8) of them.</summary>
    private static StoreLane[] CreateLanes(IJobStore? store)
    {
        var count = store is null ? 1 : Math.Clamp(store.WriteConcurrency, 1, 8);
        var lanes = new StoreLane[count];
        for (var i = 0; i < count; i++)
        {
            lanes[i] = new StoreLane(i);
        }

        return lanes;
    }

    /// <summary>The lane that writes a job's rows; the same for the job's whole life in this process.</summary>
    private StoreLane LaneOf(JobEntry job)
    {
        var lanes = _lanes;
        if (lanes.Length == 1)
        {
            return lanes[0];
        }

        if (job.Lane < 0)
        {
            job.Lane = LaneIndex(job.Id, lanes.Length);
        }

        return lanes[job.Lane];
    }

    /// <summary>The lane of a job id, registered here or not (a control of another process's job).</summary>
    private StoreLane LaneOf(string jobId) => _lanes.Length == 1 ? _lanes[0] : _lanes[LaneIndex(jobId, _lanes.Length)];

    private static int LaneIndex(string jobId, int lanes) => (int)((uint)StringComparer.Ordinal.GetHashCode(jobId) % (uint)lanes);

    /// <summary>Wakes every writer.</summary>
    private void SignalLanes()
    {
        foreach (var lane in _lanes)
        {
            lane.Signal();
        }
    }
}
