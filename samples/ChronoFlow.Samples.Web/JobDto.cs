using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChronoFlow.Samples.Web;

/// <summary>A job as the admin endpoints show it.</summary>
internal sealed record JobDto(
    string Id,
    string Schedule,
    string? Description,
    JobStatus Status,
    DateTimeOffset? NextRun,
    DateTimeOffset? LastRun,
    DateTimeOffset? LastScheduledTime,
    JobOutcome? LastOutcome,
    double? LastDurationMs,
    string? LastError,
    int InFlight,
    JobCountsDto Counts)
{
    public static JobDto From(JobInfo job) => new(
        job.Id,
        job.ScheduleText,
        job.Description,
        job.Status,
        job.NextRun,
        job.LastRun,
        job.LastScheduledTime,
        job.LastOutcome,
        job.LastDuration?.TotalMilliseconds,
        job.LastError,
        job.InFlight,
        new JobCountsDto(job.RunCount, job.SuccessCount, job.FailureCount, job.TimeoutCount, job.RetryCount, job.SkipCount, job.MisfireCount, job.RejectedCount));
}

/// <summary>A job's run counts since the app started.</summary>
internal sealed record JobCountsDto(long Runs, long Succeeded, long Failed, long TimedOut, long Retried, long Skipped, long Misfired, long Rejected);

/// <summary>Source-generated JSON for the endpoint types: no reflection at run time, so trimming and AOT keep working.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(JobDto))]
[JsonSerializable(typeof(List<JobDto>))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
