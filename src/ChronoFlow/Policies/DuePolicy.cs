namespace ChronoFlow;

/// <summary>What to do with a job whose next occurrence may be due.</summary>
internal enum DueAction : byte
{
    /// <summary>Nothing is due: the cursor is in the future, or there is no occurrence left.</summary>
    Wait,

    /// <summary>The job is at its concurrency limit and its policy waits for a run to end (RunAll, OverlapPolicy.Wait).</summary>
    Park,

    /// <summary>The job is at its concurrency limit: <see cref="DueDecision.Count"/> occurrences are skipped as busy.</summary>
    SkipBusy,

    /// <summary>Occurrences later than the grace period are dropped under <see cref="MisfirePolicy.Skip"/>.</summary>
    Miss,

    /// <summary>Start one run for <see cref="DueDecision.Scheduled"/>.</summary>
    Start,
}

/// <summary>
/// One step of the due check: the action, the occurrence it concerns, how many occurrences it stands for beyond the
/// run it starts (missed, coalesced or skipped), and where the job's cursor goes next.
/// </summary>
internal readonly record struct DueDecision(DueAction Action, long Scheduled, long Count, long NextCursor, SkipReason CountedAs);

/// <summary>
/// The misfire and overlap rules in one place, as pure functions of a job's schedule, options, cursor and runs in
/// flight: the scheduler applies the decisions, counts and reports them. Keeping them pure lets them be tested alone.
/// </summary>
internal static class DuePolicy
{
    /// <summary>How many missed occurrences one decision counts at most, so that a leap of years answers at once.</summary>
    public const long CountCap = 100_000;

    /// <summary>Decides the next step for a job whose cursor is <paramref name="cursor"/> at <paramref name="now"/>.</summary>
    public static DueDecision Decide(Schedule schedule, JobOptions options, long cursor, int inFlight, long now)
    {
        if (cursor == Schedule.NoOccurrence || cursor > now)
        {
            return new DueDecision(DueAction.Wait, cursor, 0, cursor, SkipReason.None);
        }

        if (inFlight >= options.MaxConcurrency)
        {
            if (options.Misfire == MisfirePolicy.RunAll || options.Overlap == OverlapPolicy.Wait)
            {
                return new DueDecision(DueAction.Park, cursor, 0, cursor, SkipReason.None);
            }

            // Every occurrence due by now finds the job busy.
            return new DueDecision(DueAction.SkipBusy, cursor, schedule.Count(cursor, now + 1, CountCap), schedule.Next(now), SkipReason.Busy);
        }

        var grace = options.MisfireGracePeriod.Ticks;
        var late = now - cursor > grace && schedule.Kind != ScheduleKind.Startup;
        if (!late)
        {
            var next = schedule.Next(cursor);
            if (options.Misfire == MisfirePolicy.RunOnce && next <= now)
            {
                // Several occurrences are due at once (a pause between pumps, a busy machine): under RunOnce they are
                // one run, for the first of them, and the others are counted as coalesced into it.
                return new DueDecision(DueAction.Start, cursor, schedule.Count(next, now + 1, CountCap), schedule.Next(now), SkipReason.Coalesced);
            }

            return new DueDecision(DueAction.Start, cursor, 0, next, SkipReason.None);
        }

        return options.Misfire switch
        {
            // Drop what is past the grace period; the first occurrence within it may still run.
            MisfirePolicy.Skip => new DueDecision(DueAction.Miss, cursor, schedule.Count(cursor, now - grace, CountCap), schedule.Next(now - grace - 1), SkipReason.Misfired),

            // One run stands for every occurrence that was later than the grace period, and for those due since.
            MisfirePolicy.RunOnce => new DueDecision(DueAction.Start, cursor, Math.Max(1, schedule.Count(cursor, now - grace, CountCap)), schedule.Next(now), SkipReason.Misfired),

            // Each missed occurrence runs, with its own scheduled time.
            _ => new DueDecision(DueAction.Start, cursor, 1, schedule.Next(cursor), SkipReason.Misfired),
        };
    }

    /// <summary>
    /// Whether a run that waits in the queue can become a misfire there: only under <see cref="MisfirePolicy.Skip"/>,
    /// never a triggered run or a startup job. Needs no clock, so the common case reads none.
    /// </summary>
    public static bool MayMisfireInQueue(Schedule schedule, JobOptions options, bool manual)
        => !manual && options.Misfire == MisfirePolicy.Skip && schedule.Kind != ScheduleKind.Startup;

    /// <summary>Whether a run scheduled at <paramref name="scheduled"/> is past its grace period at <paramref name="now"/>.</summary>
    public static bool IsPastGrace(JobOptions options, long scheduled, long now) => now - scheduled > options.MisfireGracePeriod.Ticks;
}
