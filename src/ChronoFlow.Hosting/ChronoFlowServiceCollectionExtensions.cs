using ChronoFlow;
using ChronoFlow.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ChronoFlow scheduler with a service collection.</summary>
public static class ChronoFlowServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="JobScheduler"/> singleton, a hosted service that starts and stops it with the host, and
    /// options bound from the <c>ChronoFlow</c> configuration section and validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to add jobs with.</returns>
    /// <remarks>
    /// <para>
    /// Calling it again changes nothing but returns another builder over the same registrations, so libraries can each
    /// add their jobs. The scheduler uses the <see cref="TimeProvider"/> registered in the container, or
    /// <see cref="TimeProvider.System"/>; the <see cref="ILoggerFactory"/>; and any <see cref="IJobEventListener"/>,
    /// <see cref="IJobQueue"/> and <see cref="IJobLockProvider"/> registered (options set in code win over the latter two).
    /// </para>
    /// <para>
    /// <b>Configuration</b> (keys are case-insensitive; durations are <c>hh:mm:ss</c> or ISO 8601 such as <c>PT30S</c>):
    /// <c>Mode</c> (<c>Hard</c> or <c>Soft</c>), <c>MaxConcurrentRuns</c>, <c>QueueCapacity</c>, <c>ShutdownTimeout</c>,
    /// <c>SoftModeFallbackInterval</c>, and
    /// <c>Jobs:{id}</c> with <c>Schedule</c>, <c>TimeZone</c>, <c>Interval</c>, <c>Enabled</c>, <c>Description</c>,
    /// <c>Timeout</c>, <c>MaxConcurrency</c>, <c>Overlap</c>, <c>Misfire</c>, <c>MisfireGracePeriod</c>, <c>LockKey</c>
    /// and <c>Retry</c> (<c>MaxAttempts</c>, <c>BaseDelay</c>, <c>MaxDelay</c>, <c>Jitter</c>). Configuration overrides
    /// what code sets; a job section needs a job registered in code with the same id. Every bad value, unknown key and
    /// missing schedule is reported, with its key path, in one <see cref="OptionsValidationException"/> when the host starts.
    /// Configuration is read once, when the scheduler is built; later changes to it are not applied. To change jobs while
    /// the app runs, use <see cref="JobScheduler"/> (<c>AddOrUpdate</c>, <c>Pause</c>, <c>Resume</c>, <c>Remove</c>) or
    /// job files, which are watched and reloaded.
    /// </para>
    /// <para>
    /// <b>Hard mode</b> (the default): the hosted service starts the scheduler's timer when the host starts. <b>Soft
    /// mode</b>: nothing runs until something calls <see cref="JobScheduler.Pump"/>, such as the ChronoFlow.AspNetCore
    /// middleware once per request, or the <see cref="SchedulerOptions.SoftModeFallbackInterval"/> timer. In both modes
    /// startup jobs (<see cref="Schedule.Startup"/>) run once the host has started, and when the host stops the scheduler
    /// drains: queued runs are dropped (counted as skipped), running jobs get up to
    /// <see cref="SchedulerOptions.ShutdownTimeout"/>, and then, or when the host's own shutdown timeout ends first,
    /// their cancellation tokens are cancelled. When the host's timeout ends first, the jobs are cancelled but not
    /// waited for, so keep <see cref="SchedulerOptions.ShutdownTimeout"/> (30 seconds by default) a few seconds below
    /// the host's (<c>HostOptions.ShutdownTimeout</c>, also 30 seconds by default) to give cancelled jobs time to end.
    /// </para>
    /// </remarks>
    public static ChronoFlowBuilder AddChronoFlow(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        if (services.Any(static d => d.ServiceType == typeof(ChronoFlowSetup)))
        {
            // Registered already: ValidateOnStart is not idempotent, so nothing is added twice.
            return new ChronoFlowBuilder(services);
        }

        services.AddOptions<SchedulerOptions>().ValidateOnStart();
        services.AddSingleton(sp => new ChronoFlowSetup(
            sp.GetServices<JobRegistration>(),
            services.Any(static d => d.ServiceType == typeof(IJobSource)),
            sp.GetService<IConfiguration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<SchedulerOptions>, SchedulerOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>());
        services.TryAddSingleton(static sp => ChronoFlowHostedService.CreateScheduler(sp));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ChronoFlowHostedService>());
        return new ChronoFlowBuilder(services);
    }

    /// <summary>
    /// Registers ChronoFlow as <see cref="AddChronoFlow(IServiceCollection)"/> does, and adds <paramref name="configure"/>
    /// to the scheduler's options.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets scheduler options in code; the <c>ChronoFlow</c> configuration section is applied after it.</param>
    /// <returns>A builder to add jobs with.</returns>
    public static ChronoFlowBuilder AddChronoFlow(this IServiceCollection services, Action<SchedulerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddChronoFlow();
        services.Configure(configure);
        return builder;
    }
}
