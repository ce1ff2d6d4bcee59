using System.Globalization;

namespace ChronoFlow;

/// <summary>A schedule with a single occurrence.</summary>
internal sealed class OnceSchedule(DateTimeOffset at) : Schedule
{
    public override ScheduleKind Kind => ScheduleKind.Once;

    public DateTimeOffset At { get; } = at;

    public override string ToString() => At.ToString(At.Offset == TimeSpan.Zero ? "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    internal override long Next(long afterUtcTicks) => At.UtcTicks > afterUtcTicks ? At.UtcTicks : NoOccurrence;

    /// <summary>A one-time job registered after its instant is still due once: the misfire policy then decides.</summary>
    internal override long First(long registeredUtcTicks) => At.UtcTicks;

    internal override bool SameAs(Schedule other) => other is OnceSchedule o && o.At.UtcTicks == At.UtcTicks;
}

/// <summary>A schedule that runs once, when the scheduler first dispatches after registration.</summary>
internal sealed class StartupSchedule : Schedule
{
    public override ScheduleKind Kind => ScheduleKind.Startup;

    public override string ToString() => "@reboot";

    internal override long Next(long afterUtcTicks) => NoOccurrence;

    internal override long First(long registeredUtcTicks) => registeredUtcTicks;

    internal override bool SameAs(Schedule other) => other is StartupSchedule;
}
