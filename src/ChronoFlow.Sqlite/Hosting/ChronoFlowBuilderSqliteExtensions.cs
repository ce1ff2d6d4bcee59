using ChronoFlow;
using ChronoFlow.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Keeps the scheduler's job state, claims and run history in a SQLite file, for the scheduler that
/// <c>AddChronoFlow()</c> registered.
/// </summary>
/// <remarks>
/// The store is registered as a singleton <see cref="IJobStore"/> (and as <see cref="SqliteJobStore"/>, for
/// <see cref="SqliteJobStore.PruneAsync"/> and the history) and set as <see cref="SchedulerOptions.Store"/> unless code
/// set another store there. The host disposes it when it stops.
/// </remarks>
public static class ChronoFlowBuilderSqliteExtensions
{
    /// <summary>Keeps the scheduler's state and history in a SQLite file, with the default retention.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The database file; created, with its directory, when the host starts.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static ChronoFlowBuilder UseSqlite(this ChronoFlowBuilder builder, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return builder.UseSqlite(options => options.Path = path);
    }

    /// <summary>Keeps the scheduler's state and history in a SQLite file, with the options set by <paramref name="configure"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the file and the retention; called once, now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or the path is not set; the message lists each problem.</exception>
    public static ChronoFlowBuilder UseSqlite(this ChronoFlowBuilder builder, Action<SqliteJobStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new SqliteJobStoreOptions();
        configure(options);

        // Checked now, so a bad option fails at registration rather than at start. The container creates the store
        // (nothing is opened until the scheduler starts) and disposes it with the host.
        var errors = options.GetErrors();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(configure));
        }

        builder.Services.AddSingleton(_ => new SqliteJobStore(options));
        builder.Services.AddSingleton<IJobStore>(services => services.GetRequiredService<SqliteJobStore>());
        return builder;
    }
}
