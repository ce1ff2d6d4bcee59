using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
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
///     .AddJob("heartbeat", Schedule.Every(TimeSpan.FromSeconds(30)), (context, ct) => ValueTask.CompletedTask)
///     .AddJobsDirectory("/etc/myapp/jobs.d");
/// </code>
/// </example>
public sealed class ChronoFlowBuilder
{
    /// <summary>
    /// The name of the <c>IHttpClientFactory</c> client that <c>http_request</c> tasks of job files use when the
    /// application registers the factory (<c>services.AddHttpClient(ChronoFlowBuilder.HttpClientName, ...)</c> to
    /// configure it). Without a factory they use a shared client of their own.
    /// </summary>
    public const string HttpClientName = "ChronoFlow";

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

    /// <summary>
    /// Runs the <c>*.json</c> job files of a directory: loaded before the scheduler starts, then watched, so that added,
    /// changed and deleted files take effect without a restart. See <see cref="JobFileSource"/> for the file format and
    /// what happens to a file that does not validate.
    /// </summary>
    /// <param name="path">The directory. It is read when the host starts; a missing directory is reported then and watched for.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public ChronoFlowBuilder AddJobsDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Services.AddSingleton(new FileSourceRegistration(path, IsCrontab: false, HasUserColumn: false));
        return this;
    }

    /// <summary>
    /// Runs the lines of a crontab file (<c>m h dom mon dow command</c>) as jobs, watched and reloaded as
    /// <see cref="AddJobsDirectory(string)"/> is.
    /// </summary>
    /// <param name="path">The crontab file.</param>
    /// <param name="hasUserColumn"><see langword="true"/> for a system crontab such as <c>/etc/crontab</c>, whose lines have a user column after the schedule.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public ChronoFlowBuilder AddCrontab(string path, bool hasUserColumn = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Services.AddSingleton(new FileSourceRegistration(path, IsCrontab: true, hasUserColumn));
        return this;
    }

    /// <summary>
    /// Adds a task type for job files: a file whose <c>task.type</c> is <paramref name="name"/> has its <c>task</c> object
    /// bound to <typeparamref name="TTask"/> when it is loaded (a bad object is a load error naming the file and JSON
    /// path), and each run resolves <typeparamref name="TExecutor"/> from a new service scope.
    /// </summary>
    /// <typeparam name="TTask">The task settings, bound from the JSON <c>task</c> object by <paramref name="settingsTypeInfo"/>.</typeparam>
    /// <typeparam name="TExecutor">Runs a task. It is registered as a transient service unless already registered.</typeparam>
    /// <param name="name">The type name: 1 to 64 characters of <c>a-z</c>, <c>0-9</c>, <c>_</c>, <c>.</c> and <c>-</c>; not a built-in type.</param>
    /// <param name="settingsTypeInfo">Source-generated JSON metadata for <typeparamref name="TTask"/> (trimming- and AOT-safe).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not valid, is built in, or is already added.</exception>
    /// <example>
    /// <code language="csharp">
    /// services.AddChronoFlow()
    ///     .AddTaskType&lt;SlackMessage, SlackSender&gt;("slack_message", AppJsonContext.Default.SlackMessage)
    ///     .AddJobsDirectory("/etc/myapp/jobs.d");
    /// // jobs.d/standup.json: { "job_id": "standup", "schedule": "0 9 * * MON-FRI",
    /// //                        "task": { "type": "slack_message", "channel": "#team", "text": "Stand-up!" } }
    /// </code>
    /// </example>
    public ChronoFlowBuilder AddTaskType<TTask, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TExecutor>(
        string name, JsonTypeInfo<TTask> settingsTypeInfo)
        where TExecutor : class, IJobTaskExecutor<TTask>
    {
        ArgumentNullException.ThrowIfNull(settingsTypeInfo);
        _ = JobTaskType.Create(name, settingsTypeInfo, static (_, _, _) => ValueTask.CompletedTask); // validates the name now
        Services.TryAddTransient<TExecutor>();
        return AddTaskType(new TaskTypeRegistration(name, services => JobTaskType.Create(name, settingsTypeInfo, ScopedExecutor<TTask, TExecutor>(services))));
    }

    /// <summary>
    /// Adds a task type for job files, binding <typeparamref name="TTask"/> by reflection with snake_case names (see
    /// <see cref="JobTaskType.Create{TTask}(string, Func{TTask, JobContext, CancellationToken, ValueTask}, JsonSerializerOptions?)"/>).
    /// Prefer the overload that takes a <see cref="JsonTypeInfo{T}"/> in trimmed or native AOT apps.
    /// </summary>
    /// <typeparam name="TTask">The task settings, bound from the JSON <c>task</c> object.</typeparam>
    /// <typeparam name="TExecutor">Runs a task. It is registered as a transient service unless already registered.</typeparam>
    /// <param name="name">The type name: 1 to 64 characters of <c>a-z</c>, <c>0-9</c>, <c>_</c>, <c>.</c> and <c>-</c>; not a built-in type.</param>
    /// <param name="serializerOptions">How to bind the settings; <see langword="null"/> for the job-file defaults.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not valid, is built in, or is already added.</exception>
    [RequiresUnreferencedCode("Binds TTask by reflection, which trimming can break. Use the overload that takes a JsonTypeInfo<TTask>.")]
    [RequiresDynamicCode("Binds TTask by reflection, which native AOT may not support. Use the overload that takes a JsonTypeInfo<TTask>.")]
    public ChronoFlowBuilder AddTaskType<TTask, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TExecutor>(
        string name, JsonSerializerOptions? serializerOptions = null)
        where TExecutor : class, IJobTaskExecutor<TTask>
    {
        _ = JobTaskType.Create<TTask>(name, static (_, _, _) => ValueTask.CompletedTask, serializerOptions); // validates the name and type now
        Services.TryAddTransient<TExecutor>();
        return AddTaskType(new TaskTypeRegistration(name, services => JobTaskType.Create(name, ScopedExecutor<TTask, TExecutor>(services), serializerOptions)));
    }

    private static Func<TTask, JobContext, CancellationToken, ValueTask> ScopedExecutor<TTask, TExecutor>(IServiceProvider services)
        where TExecutor : class, IJobTaskExecutor<TTask>
    {
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        return (task, context, token) => JobRegistration.RunInScopeAsync(scopes, provider => provider.GetRequiredService<TExecutor>().ExecuteAsync(task, context, token));
    }

    private ChronoFlowBuilder AddTaskType(TaskTypeRegistration registration)
    {
        if (Find<TaskTypeRegistration>(r => string.Equals(r.Name, registration.Name, StringComparison.Ordinal)) is not null)
        {
            throw new ArgumentException($"A task type named \"{registration.Name}\" is already added; task type names must be unique.", "name");
        }

        Services.AddSingleton(registration);
        return this;
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
