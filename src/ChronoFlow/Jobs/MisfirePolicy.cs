namespace ChronoFlow;

/// <summary>What happens to runs that could not start within <see cref="JobOptions.MisfireGracePeriod"/> of their time.</summary>
/// <remarks>
/// A run misfires when the process was down, every slot was busy, the host paused between <see cref="JobScheduler.Pump"/>
/// calls, or the clock leapt forwards. Misfired occurrences are always counted in the job's state and logged.
/// </remarks>
public enum MisfirePolicy
{
    /// <summary>Drop each occurrence that is later than the grace period; the next on-time occurrence runs as usual.</summary>
    Skip,

    /// <summary>Run once for all the missed occurrences (coalesce), with the first of them as the scheduled time; the next run is the first occurrence after now.</summary>
    RunOnce,

    /// <summary>
    /// Run every missed occurrence, each with its own scheduled time, in order. A run that finds the job at
    /// <see cref="JobOptions.MaxConcurrency"/> waits for a slot rather than being skipped.
    /// </summary>
    RunAll,
}

/// <summary>What a due run does when its job already has <see cref="JobOptions.MaxConcurrency"/> runs in flight.</summary>
public enum OverlapPolicy
{
    /// <summary>The due run is skipped, counted and logged.</summary>
    Skip,

    /// <summary>The due run waits until a run of the job ends, then the misfire policy judges how late it is.</summary>
    Wait,
}
