using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChronoFlow.Hosting;

/// <summary>
/// Adds jobs and job sources to the scheduler that
/// <see cref="ChronoFlowServiceCollectionExtensions.AddChronoFlow(IServiceCollection)"/> registered.
/// </summary>
/// <remarks>
/// <para>
/// Registrations are collected in the service collection and turned into scheduler jobs when the
/// <see cref="JobScheduler"/> is first resolved, after configuration has been applied: a job's options are its
/// defaults, then the <c>configure</c> callback given here, then the <c>ChronoFlow:Jobs:{id}</c> configuration section.
/// A mistake that code can catch at once (an empty id, the same id twice, a malformed schedule) throws here; one that
/// depends on configuration is reported when the host starts, by options validation.
/// </para>
/// <para>
/// A DI job (<see cref="AddJob{TJob}(string, Schedule, Action{JobOptions}?)"/>) is resolved from a new service scope
/// for each run, attempts of a retried run included, and the scope is disposed when the attempt ends, so a job can take
/// scoped services such as a <c>DbContext</c>.
/// </para>
/// </remarks>
/// <example>
/// <code language="csharp">
/// builder.Services.AddChronoFlow()
///     .AddJob&lt;CleanupJob&gt;("cleanup", "0 3 * * *", job => job.Timeout = TimeSpan.FromMinutes(10))
///     .AddJob("heartbeat", Schedule.Every(TimeSpan.FromSeconds(30)), (context, ct) => ValueTask.CompletedTask);
/// </code>
/// </example>
public sealed class ChronoFlowBuilder
{
    internal ChronoFlowBuilder(IServiceCollection services) => Services = services;

    /// <summary>Gets the service collection the jobs are registered in.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds a job whose work is done by <typeparamref name="TJob"/>, resolved in a new scope for each run.</summary>
    /// <typeparam name="TJob">The job type. It is registered as a transient service unless already registered.</typeparam>
    /// <param name="jobId">The job id: unique, not empty.</param>
    /// <param name="schedule">When the job runs.</param>
    /// <param name="configure">Sets the job's options; configuration applied later overrides what it sets.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or already registered.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="jobId"/> or <paramref name="schedule"/> is <see langword="null"/>.</exception>
    public ChronoFlowBuilder AddJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob>(
        string jobId, Schedule schedule, Action<JobOptions>? configure = null)
        where TJob : class, IJob
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return AddJobType<TJob>(jobId, schedule, configure);
    }

    /// <summary>
    /// Adds a job whose work is done by <typeparamref name="TJob"/>, with its schedule given as text: a cron expression
    /// (five fields, or six with seconds), a macro such as <c>@daily</c>, <c>@reboot</c>, or an ISO 8601 instant.
    /// </summary>
    /// <typeparam name="TJob">The job type. It is registered as a transient service unless already registered.</typeparam>
    /// <param name="jobId">The job id: unique, not empty.</param>
    /// <param name="schedule">When the job runs, read by <see cref="Schedule.Parse(string, TimeZoneInfo?)"/> in UTC. For a zone, pass <see cref="Schedule.Cron(string, TimeZoneInfo?)"/> or set <c>TimeZone</c> in configuration.</param>
    /// <param name="configure">Sets the job's options; configuration applied later overrides what it sets.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or already registered.</exception>
    /// <exception cref="FormatException"><paramref name="schedule"/> is not a schedule; the message says where.</exception>
    public ChronoFlowBuilder AddJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob>(
        string jobId, string schedule, Action<JobOptions>? configure = null)
        where TJob : class, IJob
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return AddJobType<TJob>(jobId, Schedule.Parse(schedule), configure);
    }

    /// <summary>
    /// Adds a job whose work is done by <typeparamref name="TJob"/> and whose schedule comes from configuration:
    /// <c>ChronoFlow:Jobs:{jobId}:Schedule</c> (and optionally <c>TimeZone</c>). Host start-up fails with a clear
    /// message when configuration has no schedule for it.
    /// </summary>
    /// <typeparam name="TJob">The job type. It is registered as a transient service unless already registered.</typeparam>
    /// <param name="jobId">The job id: unique, not empty.</param>
    /// <param name="configure">Sets the job's options; configuration applied later overrides what it sets.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or already registered.</exception>
    public ChronoFlowBuilder AddJob<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob>(
        string jobId, Action<JobOptions>? configure = null)
        where TJob : class, IJob
        => AddJobType<TJob>(jobId, null, configure);

    /// <summary>Adds a job that runs a delegate.</summary>
    /// <param name="jobId">The job id: unique, not empty.</param>
    /// <param name="schedule">When the job runs.</param>
    /// <param name="action">The work. It gets the run's context and a token that is cancelled on timeout or shutdown.</param>
    /// <param name="configure">Sets the job's options; configuration applied later overrides what it sets.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or already registered.</exception>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="configure"/> is <see langword="null"/>.</exception>
    public ChronoFlowBuilder AddJob(string jobId, Schedule schedule, Func<JobContext, CancellationToken, ValueTask> action, Action<JobOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(action);
        return Add(new JobRegistration(jobId, schedule, configure, _ => action, "a delegate"));
    }

    /// <summary>Adds a job that runs a delegate, with its schedule given as text (see <see cref="Schedule.Parse(string, TimeZoneInfo?)"/>).</summary>
    /// <param name="jobId">The job id: unique, not empty.</param>
    /// <param name="schedule">When the job runs, in UTC.</param>
    /// <param name="action">The work. It gets the run's context and a token that is cancelled on timeout or shutdown.</param>
    /// <param name="configure">Sets the job's options; configuration applied later overrides what it sets.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or already registered.</exception>
    /// <exception cref="FormatException"><paramref name="schedule"/> is not a schedule; the message says where.</exception>
    public ChronoFlowBuilder AddJob(string jobId, string schedule, Func<JobContext, CancellationToken, ValueTask> action, Action<JobOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return AddJob(jobId, Schedule.Parse(schedule), action, configure);
    }

    /// <summary>
    /// Adds a job that runs a delegate with a service provider scoped to the run: resolve scoped services from it, and
    /// they are disposed when the run ends.
    /// </summary>
    /// <param name="jobId">The job id: unique, not empty.</param>
    /// <param name="schedule">When the job runs.</param>
    /// <param name="action">The work: the run's scoped services, its context, and a token cancelled on timeout or shutdown.</param>
    /// <param name="configure">Sets the job's options; configuration applied later overrides what it sets.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or already registered.</exception>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="configure"/> is <see langword="null"/>.</exception>
    public ChronoFlowBuilder AddJob(string jobId, Schedule schedule, Func<IServiceProvider, JobContext, CancellationToken, ValueTask> action, Action<JobOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(action);
        return Add(new JobRegistration(jobId, schedule, configure, services => JobRegistration.Scoped(services, action), "a scoped delegate"));
    }

    /// <summary>Adds a job that runs a delegate with a service provider scoped to the run, with its schedule given as text (see <see cref="Schedule.Parse(string, TimeZoneInfo?)"/>).</summary>
    /// <param name="jobId">The job id: unique, not empty.</param>
    /// <param name="schedule">When the job runs, in UTC.</param>
    /// <param name="action">The work: the run's scoped services, its context, and a token cancelled on timeout or shutdown.</param>
    /// <param name="configure">Sets the job's options; configuration applied later overrides what it sets.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is empty or already registered.</exception>
    /// <exception cref="FormatException"><paramref name="schedule"/> is not a schedule; the message says where.</exception>
    public ChronoFlowBuilder AddJob(string jobId, string schedule, Func<IServiceProvider, JobContext, CancellationToken, ValueTask> action, Action<JobOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return AddJob(jobId, Schedule.Parse(schedule), action, configure);
    }

    private ChronoFlowBuilder AddJobType<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TJob>(
        string jobId, Schedule? schedule, Action<JobOptions>? configure)
        where TJob : class, IJob
    {
        Services.TryAddTransient<TJob>();
        return Add(new JobRegistration(
            jobId,
            schedule,
            configure,
            static services => JobRegistration.Scoped(services, static (provider, context, token) => provider.GetRequiredService<TJob>().ExecuteAsync(context, token)),
            typeof(TJob).FullName ?? typeof(TJob).Name));
    }

    private ChronoFlowBuilder Add(JobRegistration registration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(registration.JobId, "jobId");
        if (Find<JobRegistration>(r => string.Equals(r.JobId, registration.JobId, StringComparison.Ordinal)) is { } existing)
        {
            throw new ArgumentException($"A job with id \"{registration.JobId}\" is already registered ({existing.Description}); job ids must be unique.", "jobId");
        }

        Services.AddSingleton(registration);
        return this;
    }

    /// <summary>Finds a registration of ours already in the service collection (any builder over it may have added it).</summary>
    private T? Find<T>(Func<T, bool> match)
        where T : class
    {
        foreach (var descriptor in Services)
        {
            if (descriptor.ServiceType == typeof(T) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is T existing && match(existing))
            {
                return existing;
            }
        }

        return null;
    }
}
