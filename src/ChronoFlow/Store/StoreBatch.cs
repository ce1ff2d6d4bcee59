namespace ChronoFlow;

/// <summary>A claim of one occurrence, made just before the run starts.</summary>
/// <param name="JobId">The job id.</param>
/// <param name="ScheduledTime">The occurrence; for a triggered run, when it was triggered.</param>
/// <param name="Manual">A triggered run: not unique, always granted.</param>
/// <param name="StartedTime">When the claim was made.</param>
public readonly record struct RunClaim(string JobId, DateTimeOffset ScheduledTime, bool Manual, DateTimeOffset StartedTime)
{
    /// <summary>
    /// Gets whether this claim runs an abandoned run again (<see cref="JobOptions.RecoverAbandoned"/>): not unique, and
    /// always granted, since the abandoned run keeps its occurrence (so that nothing else claims it again) and the sweep
    /// that found it gave it to this process alone.
    /// </summary>
    public bool Recovery { get; init; }
}

/// <summary>
/// The writes of one <see cref="IJobStore.WriteAsync"/>, applied in one transaction. The scheduler fills one, hands it
/// over, and reuses it once the write completed; a store, or a test of one, can build its own.
/// </summary>
/// <threadsafety>Not thread-safe: one writer fills it, then one store reads it.</threadsafety>
public sealed class StoreBatch
{
    internal readonly List<RunClaim> ClaimList = [];
    internal readonly List<RunRecord> RecordList = [];
    internal readonly List<long> RenewalList = [];
    internal readonly List<JobState> StateList = [];
    internal readonly List<JobControl> ControlList = [];

    /// <summary>Gets or sets this process's name, written into the rows it claims.</summary>
    public string Node { get; set; } = "";

    /// <summary>Gets or sets this process's identity for fencing: unique per process, even between processes that share a <see cref="Node"/> name.</summary>
    public string Owner { get; set; } = "";

    /// <summary>Gets or sets this process's clock when the batch was taken.</summary>
    public DateTimeOffset Now { get; set; }

    /// <summary>Gets or sets how long a lease lasts.</summary>
    public TimeSpan LeaseDuration { get; set; }

    /// <summary>Gets when the leases of the new claims and of the renewals end, by this process's clock; a store with a clock of its own adds <see cref="LeaseDuration"/> to that instead.</summary>
    public DateTimeOffset LeaseUntil => Now + LeaseDuration;

    /// <summary>Gets the occurrences to claim, in order; <see cref="StoreWriteResult.ClaimIds"/> answers each.</summary>
    public IReadOnlyList<RunClaim> Claims => ClaimList;

    /// <summary>
    /// Gets the history rows to write: runs that ended (with the <see cref="RunRecord.Id"/> of their claim: update that
    /// row, if this owner still holds it) and occurrences that did not start (<see cref="RunRecord.Id"/> 0: insert).
    /// </summary>
    public IReadOnlyList<RunRecord> Records => RecordList;

    /// <summary>Gets the ids of running claims whose leases to renew, if this owner still holds them.</summary>
    public IReadOnlyList<long> Renewals => RenewalList;

    /// <summary>
    /// Gets the latest state of each job that changed, at most one per job. A state never changes whether a job is
    /// paused once its row exists: only <see cref="Controls"/> do, so that one process's counts do not undo another's pause.
    /// </summary>
    public IReadOnlyList<JobState> States => StateList;

    /// <summary>
    /// Gets the pauses and resumes to apply after <see cref="States"/>, in order, each with the store's next change
    /// version, so that every process sharing the store sees them at its next <see cref="IJobStore.SyncAsync"/>.
    /// </summary>
    public IReadOnlyList<JobControl> Controls => ControlList;

    /// <summary>Gets whether the batch holds nothing to write.</summary>
    public bool IsEmpty => ClaimList.Count == 0 && RecordList.Count == 0 && RenewalList.Count == 0 && StateList.Count == 0 && ControlList.Count == 0;

    /// <summary>Adds the claim of an occurrence.</summary>
    /// <param name="claim">The claim.</param>
    public void Add(RunClaim claim) => ClaimList.Add(claim);

    /// <summary>Adds a history row: the end of a claimed run, or occurrences that did not start.</summary>
    /// <param name="record">The row.</param>
    public void Add(RunRecord record) => RecordList.Add(record ?? throw new ArgumentNullException(nameof(record)));

    /// <summary>Adds a job's latest state.</summary>
    /// <param name="state">The state.</param>
    public void Add(JobState state) => StateList.Add(state ?? throw new ArgumentNullException(nameof(state)));

    /// <summary>Adds a pause or a resume.</summary>
    /// <param name="control">The control.</param>
    public void Add(JobControl control)
    {
        ArgumentNullException.ThrowIfNull(control.JobId, nameof(control));
        ControlList.Add(control);
    }

    /// <summary>Adds the renewal of a running claim's lease.</summary>
    /// <param name="runId">The claim's id.</param>
    public void AddRenewal(long runId) => RenewalList.Add(runId);

    /// <summary>Empties the batch, keeping <see cref="Node"/>, <see cref="Owner"/>, <see cref="Now"/> and <see cref="LeaseDuration"/>.</summary>
    public void Clear()
    {
        ClaimList.Clear();
        RecordList.Clear();
        RenewalList.Clear();
        StateList.Clear();
        ControlList.Clear();
    }
}

/// <summary>What a <see cref="IJobStore.WriteAsync"/> answered.</summary>
/// <param name="ClaimIds">One per claim, in order: the new row's id, or 0 when the occurrence was already claimed.</param>
/// <param name="Fenced">The ids of runs, among the renewals and finished runs, that this owner no longer holds: their lease was taken over.</param>
public readonly record struct StoreWriteResult(IReadOnlyList<long> ClaimIds, IReadOnlyList<long> Fenced);
