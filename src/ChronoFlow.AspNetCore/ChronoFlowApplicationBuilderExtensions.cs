using ChronoFlow;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the ChronoFlow soft-mode middleware to an ASP.NET Core pipeline.</summary>
public static class ChronoFlowApplicationBuilderExtensions
{
    /// <summary>
    /// Calls <see cref="JobScheduler.Pump"/> once per request, before the rest of the pipeline, so that jobs due by
    /// now start. The request does not wait for them: a due run is handed to the thread pool (or queued) and the call
    /// returns, and when nothing is due it is one clock read and one compare, with no allocation.
    /// </summary>
    /// <param name="app">The application builder. Its services must hold ChronoFlow (<c>services.AddChronoFlow()</c>).</param>
    /// <returns>The application builder.</returns>
    /// <remarks>
    /// <para>
    /// Meant for <see cref="SchedulerMode.Soft"/> mode (<c>AddChronoFlow(o =&gt; o.Mode = SchedulerMode.Soft)</c> or
    /// <c>"ChronoFlow": { "Mode": "Soft" }</c>), where jobs run only when something pumps. In hard mode the scheduler's
    /// own timer already runs them and the extra pump is harmless.
    /// </para>
    /// <para>
    /// With no traffic nothing is checked, so a job due during a quiet spell starts with the next request, and the
    /// misfire policy decides what becomes of the occurrences that passed: <see cref="MisfirePolicy.RunOnce"/> (the
    /// default) runs once for them all, <see cref="MisfirePolicy.Skip"/> drops those older than the grace period, and
    /// <see cref="MisfirePolicy.RunAll"/> runs each. To bound the wait, set
    /// <see cref="SchedulerOptions.SoftModeFallbackInterval"/>, and a timer pumps that often as well. Place the
    /// middleware early, before anything that may end the request (static files, authentication), so every request counts.
    /// </para>
    /// </remarks>
    /// <exception cref="InvalidOperationException">ChronoFlow is not registered in the application's services.</exception>
    public static IApplicationBuilder UseChronoFlow(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var scheduler = app.ApplicationServices.GetService<JobScheduler>()
            ?? throw new InvalidOperationException("UseChronoFlow() needs the ChronoFlow scheduler: call services.AddChronoFlow() when you configure services.");
        return app.Use(next => context =>
        {
            scheduler.Pump();
            return next(context);
        });
    }
}
