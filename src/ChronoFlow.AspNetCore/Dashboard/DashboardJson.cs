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

/// <summary>The antiforgery request token and the header to send it in.</summary>
internal sealed record AntiforgeryDto(string HeaderName, string Token);

/// <summary>An RFC 9457 problem.</summary>
internal sealed record ProblemDto(string Title, int Status, string Detail);

/// <summary>Source-generated JSON: no reflection at run time, so trimming and AOT keep working.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(JobDto))]
[JsonSerializable(typeof(List<JobDto>))]
[JsonSerializable(typeof(List<RunDto>))]
[JsonSerializable(typeof(InfoDto))]
[JsonSerializable(typeof(AntiforgeryDto))]
[JsonSerializable(typeof(ProblemDto))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
