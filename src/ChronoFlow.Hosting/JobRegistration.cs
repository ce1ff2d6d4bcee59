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
