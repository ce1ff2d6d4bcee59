namespace ChronoFlow.Testing;

/// <summary>
/// Builds a <see cref="StoreBatch"/> as the scheduler would, fluently.
/// </summary>
public sealed class Batch
{
    private readonly List<RunClaim> _claims = [];
    private readonly List<RunRecord> _records = [];
    private readonly List<long> _renewals = [];
    private readonly List<JobState> _states = [];

    public Batch(string owner, DateTimeOffset now, string node = "node-a", TimeSpan? lease = null)
    {
        Owner = owner;
        Now = now;
        Node = node;
        Lease = lease ?? TimeSpan.FromSeconds(10);
    }

    public string Owner { get; }

    public DateTimeOffset Now { get; }

    public string Node { get; }

    public TimeSpan Lease { get; }

    public Batch Claim(string jobId, DateTimeOffset scheduled, bool manual = false)
    {
        _claims.Add(new RunClaim(jobId, scheduled, manual, Now));
        return this;
    }

    /// <summary>A rerun of an abandoned run, which the sweep returned to this process.</summary>
    public Batch Recover(string jobId, DateTimeOffset scheduled)
    {
        _claims.Add(new RunClaim(jobId, scheduled, false, Now) { Recovery = true });
        return this;
    }

    public Batch Record(RunRecord record)
    {
        _records.Add(record);
        return this;
    }

    public Batch Finish(long id, string jobId, JobOutcome outcome = JobOutcome.Succeeded, string? error = null, string? output = null) =>
        Record(new RunRecord { Id = id, JobId = jobId, Outcome = outcome, EndedTime = Now, Attempt = 1, Error = error, Output = output, Node = Node });

    public Batch Renew(long id)
    {
        _renewals.Add(id);
        return this;
    }

    public Batch State(JobState state)
    {
        _states.Add(state);
        return this;
    }

    public StoreBatch Build()
    {
        var batch = new StoreBatch { Node = Node, Owner = Owner, Now = Now, LeaseDuration = Lease };
        _claims.ForEach(batch.Add);
        _records.ForEach(batch.Add);
        _renewals.ForEach(batch.AddRenewal);
        _states.ForEach(batch.Add);
        return batch;
    }

    public ValueTask<StoreWriteResult> WriteTo(IJobStore store) => store.WriteAsync(Build(), CancellationToken.None);
}
