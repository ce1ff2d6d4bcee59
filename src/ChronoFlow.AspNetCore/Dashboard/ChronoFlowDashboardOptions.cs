namespace ChronoFlow.AspNetCore;

/// <summary>
/// Settings of the dashboard that <c>app.MapChronoFlowDashboard()</c> maps; set them with
/// <c>services.AddChronoFlowDashboard(o =&gt; ...)</c> or <c>services.Configure&lt;ChronoFlowDashboardOptions&gt;(...)</c>.
/// </summary>
public sealed class ChronoFlowDashboardOptions
{
    /// <summary>Gets or sets the page title, also shown in the page header. The default is <c>ChronoFlow</c>.</summary>
    public string Title { get; set; } = "ChronoFlow";

    /// <summary>
    /// Gets or sets whether the dashboard only shows: the page hides the run, pause and resume buttons and the server
    /// refuses those requests with 403. Off by default.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// Gets or sets whether requests from other machines are served although no authorization is required of them.
    /// Off by default: without <c>.RequireAuthorization(...)</c> on the builder that <c>MapChronoFlowDashboard</c>
    /// returns, only loopback requests (with a loopback <c>Host</c>) are served and others get 403. Turn it on only
    /// when something in front of the app (a private network, an authenticating proxy) already decides who gets in.
    /// </summary>
    public bool AllowRemoteWithoutAuthorization { get; set; }

    /// <summary>
    /// Gets or sets how often the live event stream (<c>api/events</c>) looks for changes in the jobs. The default is
    /// 2 seconds; at least 100 milliseconds.
    /// </summary>
    public TimeSpan EventsInterval { get; set; } = TimeSpan.FromSeconds(2);
}
