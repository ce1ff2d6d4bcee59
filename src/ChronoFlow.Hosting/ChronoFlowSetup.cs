using Microsoft.Extensions.Configuration;

namespace ChronoFlow.Hosting;

/// <summary>A job ready for the scheduler: code registration plus configuration, validated.</summary>
internal sealed record ResolvedJob(string JobId, Schedule Schedule, JobOptions Options, JobRegistration Registration);

/// <summary>
/// Everything <c>AddChronoFlow()</c> registered, merged with the <c>ChronoFlow</c> configuration section and checked
/// once: the scheduler settings, the jobs, the file sources, and every error, which options validation reports when the
/// host starts.
/// </summary>
/// <remarks>
/// Precedence, lowest first: the defaults, then code (the <c>configure</c> callbacks), then configuration. Code picks
/// what a job is and sensible settings; configuration lets operators move a schedule or tune a limit without a build.
/// </remarks>
internal sealed class ChronoFlowSetup
{
    /// <summary>The configuration section ChronoFlow reads.</summary>
    public const string SectionName = "ChronoFlow";

    /// <summary>Keys of the <c>ChronoFlow</c> section that job-source packages read; not unknown to this reader.</summary>
    private static readonly string[] ExtensionKeys = ["JobsDirectory", "Crontabs"];

    private readonly List<string> _errors = [];
    private readonly List<ResolvedJob> _jobs = [];
    private Action<SchedulerOptions>? _applySchedulerSettings;

    public ChronoFlowSetup(IEnumerable<JobRegistration> registrations, bool hasJobSources, IConfiguration? configuration)
    {
        var section = configuration?.GetSection(SectionName);
        var jobSections = new Dictionary<string, IConfigurationSection>(StringComparer.OrdinalIgnoreCase);
        if (section is not null)
        {
            ReadSchedulerSection(section, jobSections, hasJobSources);
        }

        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var registration in registrations)
        {
            known.Add(registration.JobId);
            jobSections.TryGetValue(registration.JobId, out var jobSection);
            if (Resolve(registration, jobSection) is { } job)
            {
                _jobs.Add(job);
            }
        }

        foreach (var (id, jobSection) in jobSections)
        {
            if (!known.Contains(id))
            {
                _errors.Add($"{jobSection.Path}: no job with id \"{id}\" is registered; configuration can schedule and tune a job, and code defines what it runs, with AddChronoFlow().AddJob<TJob>(\"{id}\").");
            }
        }
    }

    /// <summary>Gets every problem found, one line each, with the configuration key or job id it concerns.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Gets the jobs, in registration order. Only jobs without errors are listed.</summary>
    public IReadOnlyList<ResolvedJob> Jobs => _jobs;

    /// <summary>Applies the scheduler settings read from configuration.</summary>
    public void ApplyTo(SchedulerOptions options) => _applySchedulerSettings?.Invoke(options);

    private void ReadSchedulerSection(IConfigurationSection section, Dictionary<string, IConfigurationSection> jobSections, bool hasJobSources)
    {
        var reader = new ConfigurationReader(section, _errors);
        var mode = reader.Enum<SchedulerMode>(nameof(SchedulerOptions.Mode));
        var maxConcurrentRuns = reader.Int32(nameof(SchedulerOptions.MaxConcurrentRuns), 1);
        var queueCapacity = reader.Int32(nameof(SchedulerOptions.QueueCapacity), 1);
        var shutdownTimeout = reader.Duration(nameof(SchedulerOptions.ShutdownTimeout), allowInfinite: true);
        var fallback = reader.Duration(nameof(SchedulerOptions.SoftModeFallbackInterval));
        // Keys that a job-source package reads from this section itself (ChronoFlow.Files: JobsDirectory, Crontabs).
        // Without such a package they would do nothing, so they are an error rather than silently ignored.
        foreach (var key in ExtensionKeys)
        {
            if (reader.IsPresent(key) && !hasJobSources)
            {
                reader.Error(key, "is read by the ChronoFlow.Files package; add the package and call AddJobFiles() on the builder that AddChronoFlow() returns");
            }
        }

        foreach (var job in reader.Section("Jobs").GetChildren())
        {
            jobSections[job.Key] = job;
        }

        reader.ReportUnknown();
        _applySchedulerSettings = options =>
        {
            options.Mode = mode ?? options.Mode;
            options.MaxConcurrentRuns = maxConcurrentRuns ?? options.MaxConcurrentRuns;
            options.QueueCapacity = queueCapacity ?? options.QueueCapacity;
            options.ShutdownTimeout = shutdownTimeout ?? options.ShutdownTimeout;
            options.SoftModeFallbackInterval = fallback ?? options.SoftModeFallbackInterval;
        };
    }

    private ResolvedJob? Resolve(JobRegistration registration, IConfigurationSection? section)
    {
        var errorsBefore = _errors.Count;
        var id = registration.JobId;
        var options = new JobOptions();
        registration.Configure?.Invoke(options);
        var schedule = registration.Schedule;

        if (section is not null)
        {
            var reader = new ConfigurationReader(section, _errors);
            schedule = ReadSchedule(reader, schedule);
            options.Enabled = reader.Boolean(nameof(JobOptions.Enabled)) ?? options.Enabled;
            options.Description = reader.String(nameof(JobOptions.Description)) ?? options.Description;
            options.Timeout = reader.Duration(nameof(JobOptions.Timeout), allowInfinite: true) ?? options.Timeout;
            options.MaxConcurrency = reader.Int32(nameof(JobOptions.MaxConcurrency), 1) ?? options.MaxConcurrency;
            options.Overlap = reader.Enum<OverlapPolicy>(nameof(JobOptions.Overlap)) ?? options.Overlap;
            options.Misfire = reader.Enum<MisfirePolicy>(nameof(JobOptions.Misfire)) ?? options.Misfire;
            options.MisfireGracePeriod = reader.Duration(nameof(JobOptions.MisfireGracePeriod)) ?? options.MisfireGracePeriod;
            options.LockKey = reader.String(nameof(JobOptions.LockKey)) ?? options.LockKey;
            var retrySection = reader.Section(nameof(JobOptions.Retry));
            if (retrySection.GetChildren().Any())
            {
                options.Retry = ReadRetry(new ConfigurationReader(retrySection, _errors), options.Retry ?? RetryPolicy.None);
            }

            reader.ReportUnknown();
        }

        if (schedule is null)
        {
            _errors.Add($"{SectionName}:Jobs:{id}:Schedule: job \"{id}\" ({registration.Description}) was registered without a schedule, so configuration must give one (a cron expression, a macro or an ISO 8601 instant), or an Interval.");
        }

        _errors.AddRange(options.GetErrors(id));

        return _errors.Count == errorsBefore && schedule is not null ? new ResolvedJob(id, schedule, options, registration) : null;
    }

    private Schedule? ReadSchedule(ConfigurationReader reader, Schedule? fromCode)
    {
        var text = reader.String("Schedule");
        var zoneId = reader.String("TimeZone");
        var interval = reader.Duration("Interval");
        TimeZoneInfo? zone = null;
        if (zoneId is not null)
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                reader.Error("TimeZone", $"\"{zoneId}\" is not a time zone on this machine; use an IANA id such as \"Europe/London\"");
            }
        }

        if (text is not null && interval is not null)
        {
            reader.Error("Interval", "give Schedule or Interval, not both");
            return fromCode;
        }

        if (interval is { } every)
        {
            return Schedule.Every(every);
        }

        if (text is null)
        {
            if (zoneId is not null)
            {
                reader.Error("TimeZone", "applies to the Schedule in the same section, and there is none; set Schedule too");
            }

            return fromCode;
        }

        try
        {
            return Schedule.Parse(text, zone);
        }
        catch (FormatException ex)
        {
            reader.Error("Schedule", $"\"{text}\": {ex.Message}");
            return fromCode;
        }
    }

    /// <summary>A retry section must say how many attempts, unless code already did: the default is one (no retry).</summary>
    private static int MissingAttempts(ConfigurationReader reader, RetryPolicy current)
    {
        if (current.MaxAttempts == 1)
        {
            reader.Error(nameof(RetryPolicy.MaxAttempts), "is required when Retry is configured: the number of attempts in all, the first included (1 means no retry)");
        }

        return current.MaxAttempts;
    }

    private static RetryPolicy ReadRetry(ConfigurationReader reader, RetryPolicy current)
    {
        var policy = new RetryPolicy
        {
            MaxAttempts = reader.Int32(nameof(RetryPolicy.MaxAttempts), 1) ?? MissingAttempts(reader, current),
            BaseDelay = reader.Duration(nameof(RetryPolicy.BaseDelay)) ?? current.BaseDelay,
            MaxDelay = reader.Duration(nameof(RetryPolicy.MaxDelay)) ?? current.MaxDelay,
            Jitter = reader.Double(nameof(RetryPolicy.Jitter), 0, 1) ?? current.Jitter,
            ShouldRetry = current.ShouldRetry,
        };
        reader.ReportUnknown();
        return policy;
    }
}
