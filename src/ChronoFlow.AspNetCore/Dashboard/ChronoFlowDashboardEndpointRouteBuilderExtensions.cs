using ChronoFlow;
using ChronoFlow.AspNetCore.Dashboard;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the ChronoFlow dashboard: a page for people and a JSON API for programs.</summary>
public static class ChronoFlowDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard page, its assets, its JSON API (<c>{pattern}/api/...</c>) and its event stream under
    /// <paramref name="pattern"/>.
    /// </summary>
    /// <param name="endpoints">The app's endpoints. Its services must hold ChronoFlow (<c>services.AddChronoFlow()</c>)
    /// and the dashboard (<c>services.AddChronoFlowDashboard()</c>).</param>
    /// <param name="pattern">The route prefix; <c>/chronoflow</c> by default.</param>
    /// <returns>
    /// The builder of the whole group: <c>.RequireAuthorization("policy")</c> on it covers every page, asset, API route
    /// and the stream.
    /// </returns>
    /// <remarks>
    /// <para>
    /// Secure by default: while no endpoint of the group carries authorization metadata, only loopback requests with a
    /// loopback <c>Host</c> are served and others get 403 (behind a reverse proxy, configure the app's forwarded
    /// headers so that the remote address is the client's). Once the app calls <c>.RequireAuthorization(...)</c> on
    /// the returned builder, authorization alone decides.
    /// <see cref="ChronoFlow.AspNetCore.ChronoFlowDashboardOptions.AllowRemoteWithoutAuthorization"/> lifts the rule
    /// without authorization.
    /// </para>
    /// <para>
    /// Every POST must carry an ASP.NET Core antiforgery token in the header the page learns from <c>api/antiforgery</c>;
    /// every response has a strict Content-Security-Policy, and the API's responses are not cached.
    /// </para>
    /// </remarks>
    /// <exception cref="InvalidOperationException">ChronoFlow or the dashboard is not registered in the app's services.</exception>
    public static IEndpointConventionBuilder MapChronoFlowDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/chronoflow")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        var services = endpoints.ServiceProvider;
        if (services.GetService<JobScheduler>() is null)
        {
            throw new InvalidOperationException($"MapChronoFlowDashboard(\"{pattern}\") needs the ChronoFlow scheduler: call services.AddChronoFlow() when you configure services.");
        }

        if (services.GetService<IAntiforgery>() is null)
        {
            throw new InvalidOperationException($"MapChronoFlowDashboard(\"{pattern}\") needs antiforgery for its POST requests: call services.AddChronoFlowDashboard() when you configure services.");
        }

        return DashboardEndpoints.Map(endpoints, pattern);
    }
}
