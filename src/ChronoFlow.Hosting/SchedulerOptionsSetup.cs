using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChronoFlow.Hosting;

/// <summary>
/// Applies the <c>ChronoFlow</c> configuration section after the code's <c>Configure</c> callbacks, and fills the queue,
/// lock provider, store, definition binder and event listeners from the container where code left them unset.
/// </summary>
internal sealed class SchedulerOptionsSetup(ChronoFlowSetup setup, IServiceProvider services) : IPostConfigureOptions<SchedulerOptions>
{
    public void PostConfigure(string? name, SchedulerOptions options)
    {
        if (name != Options.DefaultName)
        {
            return;
        }

        setup.ApplyTo(options);
        options.JobQueue ??= services.GetService<IJobQueue>();
        options.LockProvider ??= services.GetService<IJobLockProvider>();
        options.Store ??= services.GetService<IJobStore>();
        options.DefinitionBinder ??= services.GetService<IJobDefinitionBinder>();
        foreach (var listener in services.GetServices<IJobEventListener>())
        {
            if (!options.EventListeners.Contains(listener))
            {
                options.EventListeners.Add(listener);
            }
        }
    }
}

/// <summary>Reports every problem of the scheduler options, the configuration and the job registrations at once.</summary>
internal sealed class SchedulerOptionsValidator(ChronoFlowSetup setup) : IValidateOptions<SchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulerOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>(setup.Errors);
        failures.AddRange(options.GetErrors());

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
