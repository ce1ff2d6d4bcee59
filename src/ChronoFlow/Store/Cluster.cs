namespace ChronoFlow;

/// <summary>What a <see cref="JobControl"/> does to a job on every process sharing the store.</summary>
public enum JobControlKind
{
    /// <summary>Pauses the job (<see cref="JobScheduler.Pause(string)"/>).</summary>
    Pause,

    /// <summary>Resumes the job (<see cref="JobScheduler.Resume(string)"/>).</summary>
    Resume,

    /// <summary>
    /// Removes the job (<see cref="JobScheduler.Remove(string)"/>): every process stops scheduling it, and a definition
    /// stored for it is deleted. Its state and history stay.
    /// </summary>
    Remove,

    /// <summary>
    /// Defines the job: with a <see cref="JobControl.Definition"/>, stores it for every process to run
    /// (<see cref="JobScheduler.Define(string, string)"/>); without one, says that the job is the application's again
    /// (a process registered it after it was removed), which undoes the removal.
    /// </summary>
    Define,
}

/// <summary>
/// A change to a job that acts on every process sharing the store: <see cref="JobScheduler.Pause(string)"/>,
/// <see cref="JobScheduler.Resume(string)"/>, <see cref="JobScheduler.Remove(string)"/> and
/// <see cref="JobScheduler.Define(string, string)"/> write one with the next batch, and the others apply it at their
/// next <see cref="IJobStore.SyncAsync"/>.
/// </summary>
/// <param name="JobId">The job id.</param>
/// <param name="Kind">What the change does.</param>
/// <param name="Definition">For <see cref="JobControlKind.Define"/>: the job's definition (for the
/// <see cref="SchedulerOptions.DefinitionBinder"/>), or <see langword="null"/> for a job the application defines in code.</param>
public readonly record struct JobControl(string JobId, JobControlKind Kind, string? Definition = null)
{
    /// <summary>Gets whether the change leaves the job paused: <see langword="null"/> when it does not change that.</summary>
    public bool? Paused => Kind switch { JobControlKind.Pause => true, JobControlKind.Resume => false, _ => null };
}

/// <summary>
/// A job's shared controls as the store keeps them: whether it is paused or removed and its stored definition, with the
/// version of the last change, which orders it among all the changes.
/// </summary>
/// <param name="JobId">The job id.</param>
/// <param name="Paused">Whether the job is paused.</param>
/// <param name="Version">The last change's place in the store's order of changes; later changes have greater versions.</param>
public readonly record struct JobControlChange(string JobId, bool Paused, long Version)
{
    /// <summary>Gets whether the job was removed (<see cref="JobControlKind.Remove"/>) and not defined since.</summary>
    public bool Removed { get; init; }

    /// <summary>Gets the job's stored definition, or <see langword="null"/> when the application defines it in code.</summary>
    public string? Definition { get; init; }
}

/// <summary>What a process tells the store about itself at each <see cref="IJobStore.SyncAsync"/>: the node registry's row.</summary>
/// <threadsafety>Immutable; safe to read from any thread.</threadsafety>
public sealed record NodeHeartbeat
{
    /// <summary>Gets the node's name (<see cref="SchedulerOptions.NodeName"/>); several processes may share one.</summary>
    public required string Node { get; init; }

    /// <summary>Gets the process's identity in the store, unique to it (<see cref="StoreBatch.Owner"/>).</summary>
    public required string Owner { get; init; }

    /// <summary>Gets the machine's name.</summary>
    public string Host { get; init; } = "";

    /// <summary>Gets the process id.</summary>
    public int ProcessId { get; init; }

    /// <summary>Gets the ChronoFlow version the process runs.</summary>
    public string Version { get; init; } = "";

    /// <summary>Gets when the scheduler started, by its clock.</summary>
    public DateTimeOffset Started { get; init; }

    /// <summary>Gets the time of this heartbeat, by the process's clock (a store with a clock of its own uses that).</summary>
    public DateTimeOffset Now { get; init; }

    /// <summary>Gets how many jobs the process has registered.</summary>
    public int Jobs { get; init; }

    /// <summary>Gets how many runs the process has running.</summary>
    public int Running { get; init; }

    /// <summary>Gets how often the process sends a heartbeat.</summary>
    public TimeSpan Interval { get; init; }

    /// <summary>Gets whether this is the last heartbeat: the scheduler is stopping.</summary>
    public bool Stopping { get; init; }

    /// <summary>
    /// Gets a hash of the ids of the jobs the process has registered, the same in every process with the same jobs.
    /// Processes divide the jobs only with those that have the same ones.
    /// </summary>
    public long JobSetHash { get; init; }

    /// <summary>
    /// Gets a hash of the processes this one divides the jobs with, itself included, as it last read the registry; 0 while
    /// it divides them with none.
    /// </summary>
    public long PeersHash { get; init; }

    /// <summary>
    /// Gets, with <see cref="ClaimedThrough"/>, the span of occurrences the process vouches for: every occurrence of its
    /// share of the jobs (among the peers of <see cref="PeersHash"/>) due from this time through that one has been
    /// claimed in the store, by it or by another process. <see langword="null"/> when it vouches for none.
    /// </summary>
    public DateTimeOffset? ClaimedFrom { get; init; }

    /// <summary>Gets the end of the span that <see cref="ClaimedFrom"/> begins.</summary>
    public DateTimeOffset? ClaimedThrough { get; init; }
}

/// <summary>What <see cref="IJobStore.SyncAsync"/> returns: the changes other processes made, and the store's clock.</summary>
/// <param name="Changes">The job controls whose version is greater than the one asked for, oldest first; at most one per job (its latest).</param>
/// <param name="StoreTime">
/// The store's own clock at the time of the call (a database server's), or <see langword="null"/> when the store has none
/// and every process uses its own. The scheduler takes its time from it, so that due checks agree across processes.
/// </param>
public readonly record struct StoreSync(IReadOnlyList<JobControlChange> Changes, DateTimeOffset? StoreTime);

/// <summary>One process in the node registry of a store: what its last heartbeat said.</summary>
/// <threadsafety>Immutable; safe to read from any thread.</threadsafety>
public sealed record NodeInfo
{
    /// <summary>Gets the node's name.</summary>
    public required string Node { get; init; }

    /// <summary>Gets the process's identity in the store.</summary>
    public required string Owner { get; init; }

    /// <summary>Gets the machine's name.</summary>
    public string Host { get; init; } = "";

    /// <summary>Gets the process id.</summary>
    public int ProcessId { get; init; }

    /// <summary>Gets the ChronoFlow version the process runs.</summary>
    public string Version { get; init; } = "";

    /// <summary>Gets when the scheduler started, by its clock.</summary>
    public DateTimeOffset Started { get; init; }

    /// <summary>Gets the time of its last heartbeat, by the store's clock when it has one.</summary>
    public DateTimeOffset LastSeen { get; init; }

    /// <summary>Gets how many jobs the process had registered at its last heartbeat.</summary>
    public int Jobs { get; init; }

    /// <summary>Gets how many runs it had running at its last heartbeat.</summary>
    public int Running { get; init; }

    /// <summary>Gets whether its last heartbeat said that it was stopping.</summary>
    public bool Stopped { get; init; }

    /// <summary>Gets how often it promised a heartbeat.</summary>
    public TimeSpan Interval { get; init; }

    /// <summary>Gets the hash of its jobs' ids at its last heartbeat (<see cref="NodeHeartbeat.JobSetHash"/>).</summary>
    public long JobSetHash { get; init; }

    /// <summary>Gets the hash of the processes it divided the jobs with at its last heartbeat (<see cref="NodeHeartbeat.PeersHash"/>).</summary>
    public long PeersHash { get; init; }

    /// <summary>Gets the start of the occurrences it vouched for at its last heartbeat (<see cref="NodeHeartbeat.ClaimedFrom"/>).</summary>
    public DateTimeOffset? ClaimedFrom { get; init; }

    /// <summary>Gets the end of the occurrences it vouched for at its last heartbeat (<see cref="NodeHeartbeat.ClaimedThrough"/>).</summary>
    public DateTimeOffset? ClaimedThrough { get; init; }

    /// <summary>The registry's row for a heartbeat.</summary>
    /// <param name="heartbeat">The heartbeat.</param>
    /// <param name="lastSeen">When it arrived, by the store's clock (or the process's, for a store without one).</param>
    /// <returns>The row.</returns>
    public static NodeInfo FromHeartbeat(NodeHeartbeat heartbeat, DateTimeOffset lastSeen)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        return new NodeInfo
        {
            Node = heartbeat.Node,
            Owner = heartbeat.Owner,
            Host = heartbeat.Host,
            ProcessId = heartbeat.ProcessId,
            Version = heartbeat.Version,
            Started = heartbeat.Started,
            LastSeen = lastSeen,
            Jobs = heartbeat.Jobs,
            Running = heartbeat.Running,
            Stopped = heartbeat.Stopping,
            Interval = heartbeat.Interval,
            JobSetHash = heartbeat.JobSetHash,
            PeersHash = heartbeat.PeersHash,
            ClaimedFrom = heartbeat.ClaimedFrom,
            ClaimedThrough = heartbeat.ClaimedThrough,
        };
    }

    /// <summary>Says what the node is at <paramref name="now"/>: stopped, running, or lost (three heartbeats missed).</summary>
    /// <param name="now">The time, by the clock of <see cref="LastSeen"/> (<see cref="NodeList.Now"/>).</param>
    /// <returns>The status.</returns>
    public NodeStatus GetStatus(DateTimeOffset now) =>
        Stopped ? NodeStatus.Stopped : now - LastSeen <= (3 * Interval) + TimeSpan.FromSeconds(1) ? NodeStatus.Running : NodeStatus.Lost;
}

/// <summary>What a node in the registry is, by its heartbeats.</summary>
public enum NodeStatus
{
    /// <summary>Its heartbeats arrive.</summary>
    Running,

    /// <summary>It said it was stopping.</summary>
    Stopped,

    /// <summary>It missed three heartbeats without saying it stopped: it died, stalled or lost the store.</summary>
    Lost,
}

/// <summary>The node registry as a store returns it.</summary>
/// <param name="Now">The time the list was read, by the same clock as <see cref="NodeInfo.LastSeen"/>.</param>
/// <param name="Nodes">The processes whose heartbeat the store still keeps, newest first.</param>
public readonly record struct NodeList(DateTimeOffset Now, IReadOnlyList<NodeInfo> Nodes);

/// <summary>
/// A store that can tell the processes sharing it that another one wrote a change they should sync (a pause or a
/// resume), so that they sync at once rather than at their next maintenance tick. Optional: the scheduler always syncs
/// on its tick too, so a store may drop or merge notifications, and one that cannot notify simply does not implement this.
/// </summary>
public interface IJobStoreChangeNotifier
{
    /// <summary>Calls <paramref name="changed"/>, from any thread, whenever another process wrote a change, until the subscription is disposed.</summary>
    /// <param name="changed">What to call; it must return quickly and never throw.</param>
    /// <returns>The subscription.</returns>
    IDisposable Subscribe(Action changed);
}
