using ChronoFlow.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers what the ChronoFlow dashboard needs.</summary>
public static class ChronoFlowDashboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers the dashboard's options and ASP.NET Core antiforgery, which the dashboard's POST requests (run, pause,
    /// resume) must pass. Call it with <c>services.AddChronoFlow()</c>, then map the dashboard with
    /// <c>app.MapChronoFlowDashboard()</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the dashboard's options; <see langword="null"/> keeps the defaults.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddChronoFlowDashboard(this IServiceCollection services, Action<ChronoFlowDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAntiforgery();
        var options = services.AddOptions<ChronoFlowDashboardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            static o => o.EventsInterval >= TimeSpan.FromMilliseconds(100) && !string.IsNullOrWhiteSpace(o.Title),
            "ChronoFlowDashboardOptions: EventsInterval must be at least 100 ms and Title must not be empty.");
        return services;
    }
}
