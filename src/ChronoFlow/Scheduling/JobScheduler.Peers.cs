using Microsoft.Extensions.Logging;

namespace ChronoFlow;

/// <summary>
/// How the processes that share a store divide the recurring jobs between them, so that they do not all race for every
/// claim: a process claims its share of the occurrences on time, and the others' only when their process did not.
/// </summary>
/// <remarks>
/// <para>
/// <b>Peers.</b> On each maintenance tick a process reads the node registry. Its peers are the processes the registry
/// shows running with the same recurring jobs as its own (<see cref="NodeHeartbeat.JobSetHash"/>), and itself. Each
/// recurring job is assigned to one peer by rendezvous hashing: every peer scores the job id with a hash of its identity
/// (<see cref="NodeOwner"/>), and the highest score wins. Peers that see the same peers compute the same assignment
/// without talking to each other, and when one joins or leaves only the jobs it gains or held move. One-time and startup
/// jobs are not divided: whoever has them claims them. A change to this process's set of recurring jobs drops its peers
/// until the next read, so a job that only some processes have yet is claimed on time by all of them meanwhile.
/// </para>
/// <para>
/// <b>Vouching.</b> Each heartbeat says which span of occurrences the process vouches for
/// (<see cref="NodeHeartbeat.ClaimedFrom"/> to <see cref="NodeHeartbeat.ClaimedThrough"/>): every occurrence of its share
/// due in it has been claimed in the store, under the peers named by <see cref="NodeHeartbeat.PeersHash"/>. It starts
/// when its present share became its own (a peer joining only takes jobs away; one leaving, or a change to its jobs,
/// brings new ones), and ends before the first occurrence it has not claimed yet: one due but not processed (the store
/// is down, or the pump has not run), one whose claim is not written, or a parked job's.
/// </para>
/// <para>
/// <b>Occurrences of others' share.</b> A process sets each of them aside instead of claiming it, and settles it later:
/// it forgets one that its job's peer vouched for (same peers, same jobs, in its span); it claims one whose peer is no
/// longer running, or whose job is now its own; and it claims one whose peer has missed a heartbeat, or will never vouch
/// for it (it fell due before the peer's span starts: the job moved to it, or its share grew), or still does not see the
/// same peers and jobs two of its heartbeats after this process took its peers (it may not count the job as its own),
/// once <see cref="SchedulerOptions.PeerClaimDelay"/> has passed since it fell due, so that a peer that died between two
/// heartbeats costs about a heartbeat and a half of delay, not the registry's time to count it lost. A missed heartbeat
/// is judged when the registry is read, on the registry's clock: under load this process's own reads come late, and a
/// peer whose heartbeat looks old on this process's clock only because the read is old must not lose its share. A peer
/// whose heartbeats come is claiming its share, if only slowly (under load the store is the bottleneck the peers share),
/// so a late claim would only race a claim on its way and add to the load that delays it: the process waits for the vouching,
/// and after three leases claims anyway. Heartbeats come from a loop of their own, never behind the store's writers
/// (<c>JobScheduler.Cluster</c>), so a loaded peer does not look dead. A late claim that loses records nothing: the peer
/// ran the occurrence. One that wins runs it late, still exactly once; the job stays the peer's.
/// </para>
/// <para>
/// Nothing here decides who runs an occurrence: the store's unique claim does. The division saves the work of claims that
/// were bound to lose, and the vouching saves late claims of occurrences that were claimed.
/// </para>
/// </remarks>
public sealed partial class JobScheduler
{
    private readonly long _peerClaimDelayTicks;

    // Guarded by _gate.

    /// <summary>The peers the last registry read showed; <see langword="null"/> while this process divides the jobs with none.</summary>
    private PeerView? _peers;
    private int _peerEpoch;

    /// <summary>The processes the last registry read showed running, by identity (what they vouched for is in <see cref="PeerView.Rows"/>).</summary>
    private HashSet<string> _runningPeers = new(StringComparer.Ordinal);

    /// <summary>
    /// Those of them whose last heartbeat was more than an interval and a half old when the registry was read, by the
    /// registry's clock: judged at the read, never later against this process's clock, since the read itself may be old
    /// (under load this process's own sync comes late), and a peer's heartbeat may have come since.
    /// </summary>
    private HashSet<string> _lateHeartbeats = new(StringComparer.Ordinal);

    /// <summary>The sum of the key hashes of the divided jobs registered here (<see cref="NodeHeartbeat.JobSetHash"/>).</summary>
    private long _jobSetHash;

    /// <summary>
    /// Since when, UTC ticks, this process has claimed every occurrence of its present share: it vouches for nothing before.
    /// Its share only shrinks when peers join (rendezvous hashing moves jobs to the newcomer only), so that keeps it; a
    /// peer that leaves, going alone, or a change to its jobs gives it jobs it may not have claimed, and moves it to then.
    /// </summary>
    private long _vouchFrom;

    /// <summary>Occurrences of other peers' jobs, in the order they fell due, each waiting to be settled.</summary>
    private readonly Queue<DeferredClaim> _deferred = new();

    /// <summary>Set-aside occurrences are not looked at again before then (the head one could not be settled).</summary>
    private long _deferredHeldUntil;

    /// <summary>The earliest of the timeline's next due time and the next look at the set-aside occurrences; what <see cref="Pump"/> compares with.</summary>
    private long NextDueLocked()
        => _deferred.TryPeek(out var next) ? Math.Min(_timeline.PeekDue(), Math.Max(next.ClaimAt, _deferredHeldUntil)) : _timeline.PeekDue();

    /// <summary>Whether a job's occurrences are another peer's to claim on time.</summary>
    private bool IsForeignLocked(JobEntry job)
    {
        var peers = _peers;
        if (peers is null || !job.Divided)
        {
            return false;
        }

        if (job.PeerEpoch != peers.Epoch)
        {
            job.PeerEpoch = peers.Epoch;
            job.Foreign = peers.OwnerOf(job.Id) != peers.Self;
        }

        return job.Foreign;
    }

    /// <summary>Counts a job among the divided ones, or stops counting it, as its schedule says; drops the peers on a change.</summary>
    private void SetDividedLocked(JobEntry job, long now)
    {
        var divided = !job.Removed && job.Schedule.Kind is ScheduleKind.Cron or ScheduleKind.Interval or ScheduleKind.Calendar;
        if (_store is null || divided == job.Divided)
        {
            return;
        }

        job.Divided = divided;
        var key = (long)PeerView.Mix(PeerView.StableHash(job.Id));
        _jobSetHash = divided ? _jobSetHash + key : _jobSetHash - key;
        if (_vouchFrom != 0)
        {
            // Before the first heartbeat nothing is vouched for, and that heartbeat starts the span on the store's clock:
            // this one may still be the process's own, minutes off.
            _vouchFrom = now;
        }

        // Peers with the old set may lack this job, or have one this process lost: claim everything until the next read
        // finds the peers with the same set.
        _peers = null;
    }

    /// <summary>Sets an occurrence of another peer's job aside, to be settled later.</summary>
    private void DeferLocked(JobEntry job, long scheduledTicks, long now)
    {
        var claimAt = now + _peerClaimDelayTicks;
        var peers = _peers!;
        _deferred.Enqueue(new DeferredClaim(job, scheduledTicks, claimAt, now + (3 * _options.LeaseDuration.Ticks), peers.Owners[peers.OwnerOf(job.Id)]));
        if (claimAt < _nextDueTicks)
        {
            Volatile.Write(ref _nextDueTicks, claimAt);
            ArmTimerLocked(now);
        }
    }

    /// <summary>
    /// Settles set-aside occurrences: from the oldest, until one must wait (<paramref name="all"/> false, on a pump), or
    /// every one of them (on a registry read, when what the peers vouched for is new). A claim is admitted into
    /// <paramref name="admitted"/> like any other; it starts only if won.
    /// </summary>
    private void SettleDeferredLocked(long now, bool all, ref InlineList<ScheduledRun> admitted)
    {
        if (_deferred.Count == 0 || (!all && now < _deferredHeldUntil))
        {
            return;
        }

        var count = _deferred.Count;
        for (var i = 0; i < count; i++)
        {
            var next = _deferred.Peek();
            var verdict = Settle(next, now);
            if (verdict == Verdict.Wait && !all)
            {
                _deferredHeldUntil = now + Math.Max(_peerClaimDelayTicks / 2, TimeSpan.TicksPerMillisecond);
                return;
            }

            _deferred.Dequeue();
            switch (verdict)
            {
                case Verdict.Claim:
                    admitted.Add(AdmitLocked(next.Job, next.Scheduled, manual: false, late: true));
                    break;
                case Verdict.Wait:
                    // A full pass puts it back behind the others: their order is kept.
                    _deferred.Enqueue(next);
                    break;
            }
        }
    }

    private enum Verdict
    {
        Wait,
        Forget,
        Claim,
    }

    private Verdict Settle(in DeferredClaim deferred, long now)
    {
        var job = deferred.Job;
        if (job.Removed || job.Paused || !job.Options.Enabled)
        {
            // Whoever paused or removed it did so everywhere.
            return Verdict.Forget;
        }

        if (!_runningPeers.Contains(deferred.Owner))
        {
            // Its peer stopped, or the registry lost sight of it.
            return Verdict.Claim;
        }

        if (_peers is not { } peers)
        {
            // Alone now: every job is this process's.
            return Verdict.Claim;
        }

        var owner = peers.OwnerOf(job.Id);
        if (owner == peers.Self)
        {
            // The peers changed, and it is this process's now.
            return Verdict.Claim;
        }

        // Judged by the peer the job is assigned to now (the same one, unless the peers changed since).
        var row = peers.Rows[owner]!;
        bool claimLate;
        if (row.PeersHash == peers.Hash && row.JobSetHash == _jobSetHash)
        {
            if (row.ClaimedFrom?.UtcTicks <= deferred.Scheduled && deferred.Scheduled <= row.ClaimedThrough?.UtcTicks)
            {
                return Verdict.Forget;
            }

            // Not vouched for yet. The peer vouches from when its share last grew (JobScheduler.Peers' remarks): an
            // occurrence before that is one it may never have claimed, and will never vouch for.
            claimLate = row.ClaimedFrom?.UtcTicks > deferred.Scheduled;
        }
        else
        {
            // The peer's last heartbeat did not name the same peers or jobs. Right after this process took its peers, that
            // is only the heartbeat coming before the peer read the registry (it reads after it beats, once an interval):
            // wait two of its intervals for one that does. After that it does not see what this process sees, and may
            // not count the job as its own.
            claimLate = row.LastSeen.UtcTicks >= peers.TakenAt + (2 * row.Interval.Ticks);
        }

        // A peer that missed a heartbeat may have died since: claim what it may never claim. One whose heartbeats come is
        // most likely claiming it, only slowly (the store is the bottleneck they share): a late claim would race the claim
        // on its way and add to the load that delays it. After three leases, claim anyway.
        claimLate |= _lateHeartbeats.Contains(peers.Owners[owner]);
        return now >= deferred.Deadline || (now >= deferred.ClaimAt && claimLate) ? Verdict.Claim : Verdict.Wait;
    }

    /// <summary>
    /// The span of occurrences this process vouches for (see the remarks of this part): from when it took its present
    /// peers and jobs, through the last instant before the first occurrence of its own that is not claimed yet.
    /// </summary>
    private (DateTimeOffset? From, DateTimeOffset? Through) ClaimedSpanLocked(long now)
    {
        if (_peers is not { } peers || !_storeReady || _storeDown)
        {
            return (null, null);
        }

        var from = _vouchFrom;
        var through = Math.Min(now, _timeline.PeekDue() - 1);
        foreach (var lane in _lanes)
        {
            if (lane.Claims.Count != 0)
            {
                through = Math.Min(through, lane.ClaimsMin - 1);
            }

            through = Math.Min(through, lane.WritingMin - 1);
        }

        foreach (var job in _jobs.Values)
        {
            if (job.Parked && job.Cursor != Schedule.NoOccurrence)
            {
                through = Math.Min(through, job.Cursor - 1);
            }
        }

        return through < from ? (null, null) : (new DateTimeOffset(from, TimeSpan.Zero), new DateTimeOffset(through, TimeSpan.Zero));
    }

    /// <summary>
    /// A late claim was won: the peer that owns the job did not claim the occurrence. Returns whether the run may start:
    /// a run of the job still in flight here may leave no room under its <see cref="JobOptions.MaxConcurrency"/>.
    /// </summary>
    /// <remarks>
    /// The job stays the peer's: a peer that lags under load wins nothing back from a process that would claim its jobs
    /// on time from now on, and one that died leaves the registry within three heartbeats, when its share moves.
    /// </remarks>
    private static bool MayStartLateClaim(ScheduledRun run) => run.Job.InFlight <= run.Job.Options.MaxConcurrency;

    /// <summary>
    /// Takes the peers from a registry read: the processes it shows running with the same jobs, and this one; then
    /// settles the set-aside occurrences against what they vouched for. Claims this admits are queued for the writer.
    /// </summary>
    private void UpdatePeers(NodeList list)
    {
        if (_peerClaimDelayTicks == 0)
        {
            return;
        }

        var running = new Dictionary<string, NodeInfo>(StringComparer.Ordinal);
        var late = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in list.Nodes)
        {
            if (node.Owner != _owner && node.GetStatus(list.Now) == NodeStatus.Running)
            {
                running[node.Owner] = node;
                if ((list.Now - node.LastSeen).Ticks > node.Interval.Ticks * 3 / 2)
                {
                    late.Add(node.Owner);
                }
            }
        }

        int? changed = null;
        var admitted = default(InlineList<ScheduledRun>);
        lock (_gate)
        {
            _runningPeers = [.. running.Keys];
            _lateHeartbeats = late;
            var owners = new List<string> { _owner };
            foreach (var (owner, node) in running)
            {
                if (node.JobSetHash == _jobSetHash)
                {
                    owners.Add(owner);
                }
            }

            owners.Sort(StringComparer.Ordinal);
            var rows = owners.Select(o => running.GetValueOrDefault(o)).ToArray();
            var previous = _peers;
            if (owners.Count == 1)
            {
                if (previous is not null)
                {
                    // Alone, every job is this process's share, and some were others' until now.
                    _vouchFrom = _time.GetUtcNow().UtcTicks;
                    changed = 1;
                }

                _peers = null;
            }
            else if (previous is not null && previous.Owners.SequenceEqual(owners))
            {
                previous.Rows = rows;
            }
            else
            {
                if (previous is not null && !previous.Owners.All(owners.Contains))
                {
                    // A peer left: its jobs are divided among the rest, this one included.
                    _vouchFrom = _time.GetUtcNow().UtcTicks;
                }

                _peers = new PeerView(++_peerEpoch, [.. owners], owners.IndexOf(_owner), list.Now.UtcTicks) { Rows = rows };
                changed = owners.Count;
            }

            if (_state < StateStopping)
            {
                var now = _time.GetUtcNow().UtcTicks;
                SettleDeferredLocked(now, all: true, ref admitted);
                Volatile.Write(ref _nextDueTicks, NextDueLocked());
                ArmTimerLocked(now);
            }
        }

        if (changed is { } count)
        {
            SchedulerLog.PeersChanged(_logger, count);
        }
    }

    /// <summary>An occurrence of another peer's job, set aside: claimed at <see cref="ClaimAt"/> at the earliest, unless settled before.</summary>
    /// <param name="Job">The job.</param>
    /// <param name="Scheduled">The occurrence, UTC ticks.</param>
    /// <param name="ClaimAt">When a late claim may be made, if nothing settled it before.</param>
    /// <param name="Deadline">When a late claim is made even while its peer's heartbeats come without vouching for it.</param>
    /// <param name="Owner">The peer it was set aside for.</param>
    private readonly record struct DeferredClaim(JobEntry Job, long Scheduled, long ClaimAt, long Deadline, string Owner);

    /// <summary>The peers as one registry read showed them, and the assignment of jobs that follows.</summary>
    private sealed class PeerView
    {
        private readonly ulong[] _seeds;

        public PeerView(int epoch, string[] owners, int self, long takenAt)
        {
            Epoch = epoch;
            TakenAt = takenAt;
            Owners = owners;
            Self = self;
            _seeds = new ulong[owners.Length];
            ulong hash = 0;
            for (var i = 0; i < owners.Length; i++)
            {
                _seeds[i] = Mix(StableHash(owners[i]));
                hash += _seeds[i];
            }

            Hash = (long)(hash | 1);
        }

        /// <summary>Changes whenever the peers do; a job's cached assignment is good for one epoch.</summary>
        public int Epoch { get; }

        /// <summary>When the registry read that showed these peers was made, UTC ticks on the registry's clock.</summary>
        public long TakenAt { get; }

        /// <summary>The peers' identities, in ordinal order: the same list on every process that sees the same peers.</summary>
        public string[] Owners { get; }

        /// <summary>This process's place in <see cref="Owners"/>.</summary>
        public int Self { get; }

        /// <summary>The peers' hash (<see cref="NodeHeartbeat.PeersHash"/>), never 0.</summary>
        public long Hash { get; }

        /// <summary>What each peer's row said at the last read, by place in <see cref="Owners"/> (this process's is <see langword="null"/>).</summary>
        public NodeInfo?[] Rows { get; set; } = [];

        /// <summary>The place in <see cref="Owners"/> of the peer that a job is assigned to: the highest score.</summary>
        public int OwnerOf(string jobId)
        {
            var key = StableHash(jobId);
            var best = 0;
            var bestScore = 0UL;
            for (var i = 0; i < _seeds.Length; i++)
            {
                var score = Mix(key ^ _seeds[i]);
                if (i == 0 || score > bestScore)
                {
                    (best, bestScore) = (i, score);
                }
            }

            return best;
        }

        /// <summary>FNV-1a over the UTF-16 code units: the same value in every process, unlike <see cref="string.GetHashCode()"/>.</summary>
        public static ulong StableHash(string text)
        {
            var hash = 14695981039346656037UL;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 1099511628211UL;
            }

            return hash;
        }

        /// <summary>A 64-bit finalizer (splitmix64's), so that scores of related keys look unrelated.</summary>
        public static ulong Mix(ulong x)
        {
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }

    /// <summary>Log messages of the division of jobs (event ids 42x).</summary>
    private static partial class SchedulerLog
    {
        [LoggerMessage(420, LogLevel.Information, "Processes dividing the recurring jobs, this one included: {Count}; each claims its share on time, and the others' only when their process did not", EventName = "PeersChanged")]
        public static partial void PeersChanged(ILogger logger, int count);

        [LoggerMessage(421, LogLevel.Debug, "Job {JobId} scheduled {ScheduledTime} was not claimed by the process it is assigned to; this process claimed it late", EventName = "LateClaimWon")]
        public static partial void LateClaimWon(ILogger logger, string jobId, string scheduledTime);
    }
}
