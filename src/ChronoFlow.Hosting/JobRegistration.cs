using Microsoft.Extensions.DependencyInjection;

namespace ChronoFlow.Hosting;

/// <summary>
/// A job registered in code through <see cref="ChronoFlowBuilder"/>, kept in the service collection as a singleton
/// instance until the scheduler is built.
/// </summary>
/// <param name="JobId">The job id.</param>
/// <param name="Schedule">The schedule, or <see langword="null"/> when configuration must supply it.</param>
/// <param name="Configure">Adjusts the job's options in code, before configuration is applied.</param>
/// <param name="CreateAction">Builds the job's action from the root service provider.</param>
/// <param name="Description">What the registration runs, for error messages (a type name or "a delegate").</param>
internal sealed record JobRegistration(
    string JobId,
    Schedule? Schedule,
    Action<JobOptions>? Configure,
    Func<IServiceProvider, Func<JobContext, CancellationToken, ValueTask>> CreateAction,
    string Description)
{
    /// <summary>Runs <paramref name="run"/> with a fresh service scope that is disposed when the run ends.</summary>
    public static Func<JobContext, CancellationToken, ValueTask> Scoped(IServiceProvider services, Func<IServiceProvider, JobContext, CancellationToken, ValueTask> run)
    {
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        return (context, cancellationToken) => RunInScopeAsync(scopes, provider => run(provider, context, cancellationToken));
    }

    /// <summary>Creates a scope, runs <paramref name="run"/> with its provider, and disposes the scope however the run ends.</summary>
    public static async ValueTask RunInScopeAsync(IServiceScopeFactory scopes, Func<IServiceProvider, ValueTask> run)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await run(scope.ServiceProvider).ConfigureAwait(false);
        }
    }
}

/// <summary>A jobs directory or crontab added with <see cref="ChronoFlowBuilder"/>.</summary>
/// <param name="Path">The directory or file.</param>
/// <param name="IsCrontab"><see langword="true"/> for a crontab file, <see langword="false"/> for a jobs directory.</param>
/// <param name="HasUserColumn">For a crontab: whether its lines have a user column.</param>
internal sealed record FileSourceRegistration(string Path, bool IsCrontab, bool HasUserColumn);

/// <summary>A task type for job files, added with <see cref="ChronoFlowBuilder"/>; built once the container exists.</summary>
/// <param name="Name">The task type name, as job files write it in <c>task.type</c>.</param>
/// <param name="Create">Builds the task type, whose executor runs in a new scope of the given root provider.</param>
internal sealed record TaskTypeRegistration(string Name, Func<IServiceProvider, JobTaskType> Create);
