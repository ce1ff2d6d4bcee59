using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ChronoFlow;
using ChronoFlow.Files;
using ChronoFlow.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds file-defined jobs to the scheduler that <c>AddChronoFlow()</c> registered: directories of JSON job files,
/// crontab files, and task types of the application's own.
/// </summary>
/// <remarks>
/// Every method registers one <see cref="IJobSource"/> (once, however often they are called), and a
/// <see cref="JobFileDefinitionBinder"/> with the same task types, so that jobs defined as data
/// (<see cref="JobScheduler.Define(string, string)"/>) in job-file JSON run too. The ChronoFlow hosted service starts
/// the source before the scheduler: every file is read before the first run, then watched, so added,
/// changed and deleted files take effect without a restart. The source also reads the <c>ChronoFlow:JobsDirectory</c>
/// key and the <c>ChronoFlow:Crontabs</c> array of configuration.
/// </remarks>
public static class ChronoFlowBuilderFilesExtensions
{
    /// <summary>
    /// The name of the <c>IHttpClientFactory</c> client that <c>http_request</c> tasks use when the application
    /// registers the factory (<c>services.AddHttpClient(ChronoFlowBuilderFilesExtensions.HttpClientName, ...)</c> to
    /// configure it). Without a factory they use a shared client of their own.
    /// </summary>
    public const string HttpClientName = "ChronoFlow";

    /// <summary>
    /// Reads job sources from configuration only: <c>ChronoFlow:JobsDirectory</c> and the <c>ChronoFlow:Crontabs</c>
    /// array. The other methods of this class do this too.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ChronoFlowBuilder AddJobFiles(this ChronoFlowBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IJobSource, JobFilesHostedSource>());
        builder.Services.TryAddSingleton<IJobDefinitionBinder>(JobFilesHostedSource.CreateBinder);
        return builder;
    }

    /// <summary>
    /// Runs the <c>*.json</c> job files of a directory: loaded before the scheduler starts, then watched. See
    /// <see cref="JobFileSource"/> for the file format and what happens to a file that does not validate.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The directory. It is read when the host starts; a missing directory is reported then and watched for.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static ChronoFlowBuilder AddJobsDirectory(this ChronoFlowBuilder builder, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.AddJobFiles().Services.AddSingleton(new FileSourceRegistration(path, IsCrontab: false, HasUserColumn: false));
        return builder;
    }

    /// <summary>
    /// Runs the lines of a crontab file (<c>m h dom mon dow command</c>) as jobs, watched and reloaded as
    /// <see cref="AddJobsDirectory(ChronoFlowBuilder, string)"/> is.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The crontab file.</param>
    /// <param name="hasUserColumn"><see langword="true"/> for a system crontab such as <c>/etc/crontab</c>, whose lines have a user column after the schedule.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static ChronoFlowBuilder AddCrontab(this ChronoFlowBuilder builder, string path, bool hasUserColumn = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.AddJobFiles().Services.AddSingleton(new FileSourceRegistration(path, IsCrontab: true, hasUserColumn));
        return builder;
    }

    /// <summary>
    /// Sets options of every job-file source of the host (the node name, the kill grace period, ...): called for each
    /// <see cref="JobFileSourceOptions"/> the host creates, after its paths and task types are set.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static ChronoFlowBuilder ConfigureJobFiles(this ChronoFlowBuilder builder, Action<JobFileSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        builder.AddJobFiles().Services.AddSingleton(new JobFilesConfiguration(configure));
        return builder;
    }

    /// <summary>
    /// Adds a task type for job files: a file whose <c>task.type</c> is <paramref name="name"/> has its <c>task</c> object
    /// bound to <typeparamref name="TTask"/> when it is loaded (a bad object is a load error naming the file and JSON
    /// path), and each run resolves <typeparamref name="TExecutor"/> from a new service scope.
    /// </summary>
    /// <typeparam name="TTask">The task settings, bound from the JSON <c>task</c> object by <paramref name="settingsTypeInfo"/>.</typeparam>
    /// <typeparam name="TExecutor">Runs a task. It is registered as a transient service unless already registered.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The type name: 1 to 64 characters of <c>a-z</c>, <c>0-9</c>, <c>_</c>, <c>.</c> and <c>-</c>; not a built-in type.</param>
    /// <param name="settingsTypeInfo">Source-generated JSON metadata for <typeparamref name="TTask"/> (trimming- and AOT-safe).</param>
    /// <returns>The builder.</returns>
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
    public static ChronoFlowBuilder AddTaskType<TTask, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TExecutor>(
        this ChronoFlowBuilder builder, string name, JsonTypeInfo<TTask> settingsTypeInfo)
        where TExecutor : class, IJobTaskExecutor<TTask>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settingsTypeInfo);
        _ = JobTaskType.Create(name, settingsTypeInfo, static (_, _, _) => ValueTask.CompletedTask); // validates the name now
        builder.Services.TryAddTransient<TExecutor>();
        return builder.AddTaskType(new TaskTypeRegistration(name, services => JobTaskType.Create(name, settingsTypeInfo, ScopedExecutor<TTask, TExecutor>(services))));
    }

    /// <summary>
    /// Adds a task type for job files, binding <typeparamref name="TTask"/> by reflection with snake_case names (see
    /// <see cref="JobTaskType.Create{TTask}(string, Func{TTask, JobContext, CancellationToken, ValueTask}, JsonSerializerOptions?)"/>).
    /// Prefer the overload that takes a <see cref="JsonTypeInfo{T}"/> in trimmed or native AOT apps.
    /// </summary>
    /// <typeparam name="TTask">The task settings, bound from the JSON <c>task</c> object.</typeparam>
    /// <typeparam name="TExecutor">Runs a task. It is registered as a transient service unless already registered.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The type name: 1 to 64 characters of <c>a-z</c>, <c>0-9</c>, <c>_</c>, <c>.</c> and <c>-</c>; not a built-in type.</param>
    /// <param name="serializerOptions">How to bind the settings; <see langword="null"/> for the job-file defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not valid, is built in, or is already added.</exception>
    [RequiresUnreferencedCode("Binds TTask by reflection, which trimming can break. Use the overload that takes a JsonTypeInfo<TTask>.")]
    [RequiresDynamicCode("Binds TTask by reflection, which native AOT may not support. Use the overload that takes a JsonTypeInfo<TTask>.")]
    public static ChronoFlowBuilder AddTaskType<TTask, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TExecutor>(
        this ChronoFlowBuilder builder, string name, JsonSerializerOptions? serializerOptions = null)
        where TExecutor : class, IJobTaskExecutor<TTask>
    {
        ArgumentNullException.ThrowIfNull(builder);
        _ = JobTaskType.Create<TTask>(name, static (_, _, _) => ValueTask.CompletedTask, serializerOptions); // validates the name and type now
        builder.Services.TryAddTransient<TExecutor>();
        return builder.AddTaskType(new TaskTypeRegistration(name, services => JobTaskType.Create(name, ScopedExecutor<TTask, TExecutor>(services), serializerOptions)));
    }

    private static Func<TTask, JobContext, CancellationToken, ValueTask> ScopedExecutor<TTask, TExecutor>(IServiceProvider services)
        where TExecutor : class, IJobTaskExecutor<TTask>
    {
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        return async (task, context, token) =>
        {
            var scope = scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                await scope.ServiceProvider.GetRequiredService<TExecutor>().ExecuteAsync(task, context, token).ConfigureAwait(false);
            }
        };
    }

    private static ChronoFlowBuilder AddTaskType(this ChronoFlowBuilder builder, TaskTypeRegistration registration)
    {
        foreach (var descriptor in builder.Services)
        {
            if (descriptor.ServiceType == typeof(TaskTypeRegistration) && !descriptor.IsKeyedService
                && descriptor.ImplementationInstance is TaskTypeRegistration existing
                && string.Equals(existing.Name, registration.Name, StringComparison.Ordinal))
            {
                throw new ArgumentException($"A task type named \"{registration.Name}\" is already added; task type names must be unique.", "name");
            }
        }

        builder.AddJobFiles().Services.AddSingleton(registration);
        return builder;
    }
}
