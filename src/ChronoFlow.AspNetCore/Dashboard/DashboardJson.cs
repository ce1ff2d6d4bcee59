using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChronoFlow.AspNetCore.Dashboard;

/// <summary>A job as the dashboard API shows it. Durations are in milliseconds; times are UTC, ISO 8601.</summary>
internal sealed class JobDto
{
    public required string Id { get; init; }

    public string? Description { get; init; }

    /// <summary>The schedule as written, without the zone suffix the engine adds.</summary>
    public required string Schedule { get; init; }

    public required ScheduleKind ScheduleKind { get; init; }

    /// <summary>The schedule in plain words, for the common shapes; <see langword="null"/> otherwise.</summary>
    public string? ScheduleDescription { get; init; }

    /// <summary>The schedule's time zone, when it is not UTC.</summary>
    public string? Zone { get; init; }

    public required JobStatus Status { get; init; }

    public required bool Paused { get; init; }

    public DateTimeOffset? NextRun { get; init; }

    public DateTimeOffset? LastRun { get; init; }

    public DateTimeOffset? LastScheduledTime { get; init; }

    public JobOutcome? LastOutcome { get; init; }

    public double? LastDuration { get; init; }

    public string? LastError { get; init; }

    public int InFlight { get; init; }

    public required JobCountsDto Counts { get; init; }

    /// <summary>The next five occurrences, in <c>GET jobs/{id}</c> only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DateTimeOffset>? NextRuns { get; init; }
}

/// <summary>A job's counts since the scheduler started (or, with a durable store, since the store was created).</summary>
internal sealed record JobCountsDto(
    long Runs, long Succeeded, long Failed, long TimedOut, long Retried, long Skipped, long Misfired, long Rejected, long Coalesced, long Abandoned);

/// <summary>One row of run history. <c>Outcome</c> is null while running and for occurrences that did not start (<c>Skipped</c> says why, <c>Count</c> how many).</summary>
internal sealed record RunDto(
    long Id,
    DateTimeOffset ScheduledTime,
    DateTimeOffset? StartedTime,
    DateTimeOffset? EndedTime,
    double? Duration,
    JobOutcome? Outcome,
    SkipReason? Skipped,
    long Count,
    bool Manual,
    int Attempt,
    string Node,
    string? Error,
    string? Output);

/// <summary>What the page needs to know about the dashboard and the scheduler.</summary>
internal sealed record InfoDto(
    string Title,
    bool ReadOnly,
    string User,
    string Node,
    SchedulerMode Mode,
    bool IsRunning,
    DateTimeOffset Now,
    DateTimeOffset? LastPump,
    DateTimeOffset? NextDue,
    int JobCount,
    int RunningCount,
    int QueueLength,
    IReadOnlyList<string> FailingJobs,
    string? StoreError);

/// <summary>The node registry (<c>GET api/nodes</c>): every process sharing the scheduler's store, and when it was read.</summary>
/// <param name="Now">The time the registry was read, by the clock of the nodes' <c>lastSeen</c>.</param>
/// <param name="Nodes">The processes, by node name, then start time.</param>
internal sealed record NodesDto(DateTimeOffset Now, IReadOnlyList<NodeDto> Nodes);

/// <summary>One process in the node registry, as its last heartbeat described it.</summary>
/// <param name="Node">The node name (<c>SchedulerOptions.NodeName</c>); several processes may share one.</param>
/// <param name="Owner">The process's identity in the store, unique to it.</param>
/// <param name="Host">The machine's name.</param>
/// <param name="Pid">The process id.</param>
/// <param name="Version">The ChronoFlow version it runs.</param>
/// <param name="Started">When its scheduler started.</param>
/// <param name="LastSeen">Its last heartbeat.</param>
/// <param name="SecondsSinceSeen">Whole seconds from <c>lastSeen</c> to <c>now</c>; negative when its clock runs ahead of this one (stores without a clock of their own).</param>
/// <param name="Status"><c>running</c>, <c>stopped</c> (it said so as it stopped) or <c>lost</c> (three heartbeats missed).</param>
/// <param name="Jobs">How many jobs it had registered.</param>
/// <param name="Running">How many runs it had running.</param>
/// <param name="Self">Whether it is the process that serves this dashboard.</param>
internal sealed record NodeDto(
    string Node,
    string Owner,
    string Host,
    int Pid,
    string Version,
    DateTimeOffset Started,
    DateTimeOffset LastSeen,
    long SecondsSinceSeen,
    string Status,
    int Jobs,
    int Running,
    bool Self);

/// <summary>The antiforgery request token and the header to send it in.</summary>
internal sealed record AntiforgeryDto(string HeaderName, string Token);

/// <summary>The answer to PUT api/jobs/{id}/definition.</summary>
/// <param name="Id">The job id.</param>
/// <param name="RunsHere">Whether this process runs the job too; when not, it does not know the job's task type, and the processes that do run it.</param>
internal sealed record JobDefinedDto(string Id, bool RunsHere);

/// <summary>The answer to DELETE api/jobs/{id}.</summary>
/// <param name="Id">The job id.</param>
internal sealed record JobRemovedDto(string Id);

/// <summary>An RFC 9457 problem.</summary>
internal sealed record ProblemDto(string Title, int Status, string Detail);

/// <summary>Source-generated JSON: no reflection at run time, so trimming and AOT keep working.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(JobDto))]
[JsonSerializable(typeof(List<JobDto>))]
[JsonSerializable(typeof(List<RunDto>))]
[JsonSerializable(typeof(InfoDto))]
[JsonSerializable(typeof(NodesDto))]
[JsonSerializable(typeof(AntiforgeryDto))]
[JsonSerializable(typeof(ProblemDto))]
[JsonSerializable(typeof(JobDefinedDto))]
[JsonSerializable(typeof(JobRemovedDto))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
