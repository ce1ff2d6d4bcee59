namespace ChronoFlow;

/// <summary>
/// Where job state, the claims of occurrences and run history live, so that they outlive the process and can be shared
/// by several processes. Set it with <see cref="SchedulerOptions.Store"/>; without one the scheduler keeps everything in
/// memory.
/// </summary>
/// <remarks>
/// <para>
/// The scheduler never calls a store from <see cref="JobScheduler.Pump"/> or while it holds its lock. It gathers
/// claims, finished runs, skipped occurrences, lease renewals and changed job states on one background writer and hands
/// them over in one <see cref="StoreBatch"/> per <see cref="WriteAsync"/>, which a store applies in one transaction. While
/// a batch is being written the next one fills, so the batches grow with the load (group commit). A store that gains
/// from writing on several connections at once says so with <see cref="WriteConcurrency"/>: the scheduler then divides
/// its jobs between that many writers, each with a batch of its own in flight, and every row of one job always goes
/// through the same writer, in order.
/// </para>
/// <para>
/// What a store must guarantee:
/// </para>
/// <list type="bullet">
/// <item><description>A scheduled occurrence, (job id, scheduled time), is claimed at most once, ever, across every process
/// that shares the store; a claim that loses returns 0 and the scheduler does not start the run. Triggered runs
/// (<see cref="RunClaim.Manual"/>) and reruns of abandoned runs (<see cref="RunClaim.Recovery"/>) are not unique and
/// always win.</description></item>
/// <item><description>A claim holds a lease until <see cref="StoreBatch.LeaseUntil"/>, renewed while the run lasts. Writes
/// for a run whose lease was taken over (see <see cref="AbandonExpiredAsync"/>) are refused and reported in
/// <see cref="StoreWriteResult.Fenced"/>.</description></item>
/// <item><description>Everything in one batch is durable together, or not at all.</description></item>
/// </list>
/// </remarks>
/// <threadsafety>The scheduler has at most <see cref="WriteConcurrency"/> calls of <see cref="WriteAsync"/> in flight at once (one by default), each for its own jobs; <see cref="AbandonExpiredAsync"/> and <see cref="SyncAsync"/> may run concurrently with the writes of other writers, and the read methods may be called from any thread.</threadsafety>
public interface IJobStore
{
    /// <summary>
    /// Opens the store for this process: creates or migrates its schema, and returns the stored state of every job.
    /// Called once, by <see cref="JobScheduler.StartAsync(CancellationToken)"/>, before anything else.
    /// </summary>
    /// <param name="node">This process's name in run history and in a cluster.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The stored job states.</returns>
    /// <exception cref="JobStoreException">The store cannot be opened; the message names it and says why.</exception>
    ValueTask<IReadOnlyList<JobState>> OpenAsync(string node, CancellationToken cancellationToken);

    /// <summary>Applies one batch in one transaction: claims, run records, lease renewals and job states.</summary>
    /// <param name="batch">The batch; the store must not keep it after the returned task completes.</param>
    /// <param name="cancellationToken">Cancels the write; nothing of the batch is then applied.</param>
    /// <returns>The id of each claim (0 for a claim that lost) and the runs whose writes were refused.</returns>
    /// <exception cref="JobStoreException">The write failed and nothing of the batch was applied; the scheduler retries it.</exception>
    ValueTask<StoreWriteResult> WriteAsync(StoreBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Gets how many batches the scheduler may write at once, each on its own writer with its own jobs: 1 (the default)
    /// for a store whose writes serialise anyway (one file, one lock), more for a database server that runs transactions
    /// on several cores. Two batches in flight together never hold rows of the same job, so they never wait on each other.
    /// </summary>
    int WriteConcurrency => 1;

    /// <summary>
    /// Records every run whose lease ended before <paramref name="now"/> as <see cref="JobOutcome.Abandoned"/>: its
    /// process died or stalled. A store whose clock is its own (a database server) uses that clock instead.
    /// </summary>
    /// <param name="now">This process's clock.</param>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>
    /// The runs just recorded as abandoned, so that the scheduler can count them and run again those whose job asks for
    /// it. Each abandoned run is returned once, to one process, and keeps its occurrence: a later scheduled claim of it
    /// loses, and only that process's <see cref="RunClaim.Recovery"/> runs it again.
    /// </returns>
    ValueTask<IReadOnlyList<RunRecord>> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Reads one job's history, newest first, one page at a time.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="query">The page: how many rows, and the id of the last row of the previous page.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The rows, at most <see cref="RunQuery.Limit"/>.</returns>
    ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Records this process as alive in the node registry and returns what other processes changed: the pauses and
    /// resumes (<see cref="StoreBatch.Controls"/>) written since <paramref name="sinceVersion"/>, and the store's clock.
    /// Called by the scheduler on its maintenance tick (every third of <see cref="SchedulerOptions.LeaseDuration"/>),
    /// once more when it stops, and never concurrently with <see cref="WriteAsync"/>.
    /// </summary>
    /// <param name="heartbeat">This process, as the registry shows it.</param>
    /// <param name="sinceVersion">The greatest <see cref="JobControlChange.Version"/> this process has seen; 0 at first.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The changes, at most one per job (its latest), oldest first, and the store's clock if it has one.</returns>
    /// <exception cref="JobStoreException">The store could not be read or written.</exception>
    ValueTask<StoreSync> SyncAsync(NodeHeartbeat heartbeat, long sinceVersion, CancellationToken cancellationToken);

    /// <summary>Reads the node registry: every process whose heartbeat the store keeps (a day after its last, at least).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The nodes, and the time they were read at by the clock of their <see cref="NodeInfo.LastSeen"/>.</returns>
    /// <exception cref="JobStoreException">The store could not be read.</exception>
    ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken);
}

/// <summary>A store failed: it could not be opened, read or written. The message names the store and the cause.</summary>
public class JobStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the store (its file or connection) and the cause.</param>
    public JobStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the store (its file or connection) and the cause.</param>
    /// <param name="innerException">The driver's exception.</param>
    public JobStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
