namespace ChronoFlow;

/// <summary>How a <see cref="JobScheduler"/> dispatches runs.</summary>
public enum SchedulerMode
{
    /// <summary>
    /// A timer of the scheduler's own sleeps until the next run is due and dispatches it; started with
    /// <see cref="JobScheduler.StartAsync(CancellationToken)"/>.
    /// </summary>
    Hard,

    /// <summary>Nothing runs by itself: the host calls <see cref="JobScheduler.Pump"/>, for example once per request.</summary>
    Soft,
}

/// <summary>Options of a <see cref="JobScheduler"/>.</summary>
/// <threadsafety>Not thread-safe while being configured; the scheduler reads it once, in its constructor.</threadsafety>
public class SchedulerOptions
{
    /// <summary>Gets or sets whether the scheduler runs on its own timer or is pumped by the host.</summary>
    /// <value>The default is <see cref="SchedulerMode.Hard"/>.</value>
    public SchedulerMode Mode { get; set; } = SchedulerMode.Hard;

    /// <summary>
    /// Gets or sets the most runs of all jobs that may run at once. Runs beyond it wait in the job queue. A run waiting
    /// for a retry keeps its slot.
    /// </summary>
    /// <value>The default is 64.</value>
    public int MaxConcurrentRuns { get; set; } = 64;

    /// <summary>
    /// Gets or sets how many runs the default in-memory queue holds; a run that finds it full is rejected and counted.
    /// With a <see cref="Store"/>, a run whose claim was won is not rejected: its claim is written, so it waits beyond
    /// the capacity (each job has at most <see cref="JobOptions.MaxConcurrency"/> runs admitted, which bounds them).
    /// </summary>
    /// <value>The default is 10,000.</value>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets the queue of runs waiting for a slot.</summary>
    /// <value>The default, <see langword="null"/>, means an <see cref="InMemoryJobQueue"/> of <see cref="QueueCapacity"/>.</value>
    public IJobQueue? JobQueue { get; set; }

    /// <summary>Gets or sets the provider of the leases named by <see cref="JobOptions.LockKey"/>.</summary>
    /// <value>
    /// The default, <see langword="null"/>, means an <see cref="InMemoryJobLockProvider"/>: exclusive within this
    /// process. Use <c>FileJobLockProvider</c> (package ChronoFlow.Files) to exclude other processes on the machine.
    /// </value>
    public IJobLockProvider? LockProvider { get; set; }

    /// <summary>
    /// Gets or sets how long <see cref="JobScheduler.StopAsync(CancellationToken)"/> waits for running jobs before it
    /// cancels them.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets, for <see cref="SchedulerMode.Soft"/> mode only, how often the scheduler pumps itself when the host
    /// does not, or <see langword="null"/> for never.
    /// </summary>
    /// <value>The default is <see langword="null"/>: a soft-mode scheduler moves only when the host calls <see cref="JobScheduler.Pump"/>.</value>
    /// <remarks>
    /// Soft mode runs jobs on the back of the host's own activity, such as web requests. With no traffic nothing is
    /// due-checked, and when traffic returns the misfire policy (<see cref="JobOptions.Misfire"/>) decides what happens
    /// to the occurrences that passed. A fallback interval bounds that gap: a timer on the scheduler's
    /// <see cref="TimeProvider"/> calls <see cref="JobScheduler.Pump"/> that often, so a run is at most about one
    /// interval late. Keep it shorter than <see cref="JobOptions.MisfireGracePeriod"/> if quiet-period runs must not
    /// count as misfires. It is ignored in hard mode, whose timer already wakes exactly when a run is due.
    /// </remarks>
    public TimeSpan? SoftModeFallbackInterval { get; set; }

    /// <summary>
    /// Gets or sets where job state, claims and run history live, so that they outlive the process: <c>SqliteJobStore</c>
    /// (package ChronoFlow.Sqlite) on one machine, <c>PostgreSqlJobStore</c> (package ChronoFlow.PostgreSql) across many.
    /// </summary>
    /// <value>The default, <see langword="null"/>, keeps everything in memory: a restart starts every job afresh.</value>
    /// <remarks>
    /// With a store, <see cref="JobScheduler.StartAsync(CancellationToken)"/> opens it and restores each job's state
    /// before anything runs, in both modes; every run is claimed in the store before it starts, so processes that share
    /// the store start each occurrence once. <see cref="JobScheduler.Pump"/> never waits for the store.
    /// </remarks>
    public IJobStore? Store { get; set; }

    /// <summary>
    /// Gets or sets what turns jobs defined as data (<see cref="JobScheduler.Define(string, string)"/>) into jobs that run
    /// here. The hosting of ChronoFlow.Files sets one that reads job-file JSON; with none, this process runs no stored
    /// definition and <see cref="JobScheduler.Define(string, string)"/> throws.
    /// </summary>
    /// <value>The default is <see langword="null"/>.</value>
    public IJobDefinitionBinder? DefinitionBinder { get; set; }

    /// <summary>Gets or sets this process's name in run history and in a cluster.</summary>
    /// <value>The default, <see langword="null"/>, means the host name and the process id, such as <c>web-1:4242</c>.</value>
    public string? NodeName { get; set; }

    /// <summary>
    /// Gets or sets how long a run's claim in the <see cref="Store"/> lasts without renewal. The scheduler renews it
    /// every third of this while the run lasts; when its process dies, another process (or its next start) records the
    /// run as <see cref="JobOutcome.Abandoned"/> once it ran out.
    /// </summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets whether, and how, processes that share the <see cref="Store"/> divide their recurring jobs; zero means
    /// they do not. Above zero, processes with the same recurring jobs divide them between them: each
    /// claims the occurrences of its own share when they fall due, and forgets those of the others once their process
    /// vouches, in its heartbeat, that it claimed them. It claims one of them itself only when their process stopped,
    /// missed a heartbeat, or does not see the same processes (then no sooner than this delay after the occurrence fell
    /// due), or after three <see cref="LeaseDuration"/>s without word. Dividing costs the store one claim per occurrence
    /// instead of one per process, so adding processes adds throughput; a process killed between two heartbeats delays
    /// its share by about a heartbeat and a half. At zero every process claims every occurrence when it falls due, and the
    /// store's unique claim picks one: a dead or lagging process delays nothing, at the price of a claim written by every
    /// process for every occurrence. Either way each occurrence starts once.
    /// </summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan PeerClaimDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the listeners that receive every <see cref="JobEvent"/>.</summary>
    /// <value>Empty by default.</value>
    public IList<IJobEventListener> EventListeners { get; } = new List<IJobEventListener>();

    /// <summary>The longest <see cref="SoftModeFallbackInterval"/> accepted: one day.</summary>
    internal static readonly TimeSpan MaxFallbackInterval = TimeSpan.FromDays(1);

    /// <summary>The shortest <see cref="LeaseDuration"/> accepted.</summary>
    internal static readonly TimeSpan MinLeaseDuration = TimeSpan.FromMilliseconds(300);

    /// <summary>The longest <see cref="LeaseDuration"/> accepted.</summary>
    internal static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromHours(1);

    /// <summary>Checks the options and returns every problem, one sentence each.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        CollectErrors(errors);
        return errors;
    }

    /// <summary>Throws one <see cref="ArgumentException"/> that lists every problem, when there is any.</summary>
    internal void ThrowIfInvalid()
    {
        var errors = GetErrors();
        if (errors.Count != 0)
        {
            throw new ArgumentException(string.Join(" ", errors), "options");
        }
    }

    private void CollectErrors(List<string> errors)
    {
        if (!Enum.IsDefined(Mode))
        {
            errors.Add($"{nameof(SchedulerOptions)}.{nameof(Mode)}: {(int)Mode} is not a {nameof(SchedulerMode)}.");
        }

        if (MaxConcurrentRuns < 1)
        {
            errors.Add($"{nameof(SchedulerOptions)}.{nameof(MaxConcurrentRuns)} must be at least 1, not {MaxConcurrentRuns}.");
        }

        if (JobQueue is null && QueueCapacity < 1)
        {
            errors.Add($"{nameof(SchedulerOptions)}.{nameof(QueueCapacity)} must be at least 1, not {QueueCapacity}.");
        }

        if (SoftModeFallbackInterval is { } fallback && (fallback <= TimeSpan.Zero || fallback > MaxFallbackInterval))
        {
            errors.Add($"{nameof(SchedulerOptions)}.{nameof(SoftModeFallbackInterval)} must be more than zero and at most {MaxFallbackInterval}, not {fallback}.");
        }

        if (LeaseDuration < MinLeaseDuration || LeaseDuration > MaxLeaseDuration)
        {
            errors.Add($"{nameof(SchedulerOptions)}.{nameof(LeaseDuration)} must be from {MinLeaseDuration} to {MaxLeaseDuration}, not {LeaseDuration}.");
        }

        if (PeerClaimDelay < TimeSpan.Zero || PeerClaimDelay > MaxLeaseDuration)
        {
            errors.Add($"{nameof(SchedulerOptions)}.{nameof(PeerClaimDelay)} must be from zero to {MaxLeaseDuration}, not {PeerClaimDelay}.");
        }

        if (NodeName is { } node && (string.IsNullOrWhiteSpace(node) || node.Length > 200))
        {
            errors.Add($"{nameof(SchedulerOptions)}.{nameof(NodeName)} must be 1 to 200 characters and not blank, not '{node}'.");
        }

        if (ShutdownTimeout < TimeSpan.Zero && ShutdownTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(SchedulerOptions)}.{nameof(ShutdownTimeout)} must not be negative, not {ShutdownTimeout}.");
        }
    }
}
