using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ChronoFlow;

/// <summary>The one <see cref="Meter"/> and one <see cref="ActivitySource"/> of ChronoFlow, and their instruments.</summary>
internal static class ChronoFlowTelemetry
{
    /// <summary>The name of the meter and the activity source.</summary>
    public const string Name = "ChronoFlow";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(ChronoFlowTelemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(Name, typeof(ChronoFlowTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Runs by outcome: succeeded, failed, timed_out, cancelled, skipped, missed, rejected, coalesced.</summary>
    public static readonly Counter<long> Runs = Meter.CreateCounter<long>("chronoflow.job.runs", "{run}", "Runs of jobs by outcome.");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("chronoflow.job.duration", "s", "How long runs took.");

    public static readonly Histogram<double> Lateness = Meter.CreateHistogram<double>("chronoflow.job.lateness", "s", "How late runs started after their scheduled time.");

    public static readonly UpDownCounter<long> Running = Meter.CreateUpDownCounter<long>("chronoflow.job.running", "{run}", "Runs in progress.");

    public static readonly UpDownCounter<long> QueueLength = Meter.CreateUpDownCounter<long>("chronoflow.queue.length", "{run}", "Runs waiting in the job queue for a slot.");

    /// <summary>The activity of one run.</summary>
    public const string RunActivityName = "chronoflow.job.run";
}

/// <summary>Tag names shared by metrics and traces.</summary>
internal static class TelemetryTags
{
    public const string JobId = "chronoflow.job.id";
    public const string Outcome = "chronoflow.outcome";
    public const string ScheduledTime = "chronoflow.scheduled_time";
    public const string Attempt = "chronoflow.attempt";

    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string TimedOut = "timed_out";
    public const string Cancelled = "cancelled";
    public const string Skipped = "skipped";
    public const string Missed = "missed";
    public const string Rejected = "rejected";
    public const string Coalesced = "coalesced";

    /// <summary>The tag value of an outcome.</summary>
    public static string Of(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Succeeded => Succeeded,
        JobOutcome.TimedOut => TimedOut,
        JobOutcome.Cancelled => Cancelled,
        _ => Failed,
    };
}
