using ChronoFlow;
using ChronoFlow.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Keeps the scheduler's job state, claims and run history in PostgreSQL, for the scheduler that
/// <c>AddChronoFlow()</c> registered: every node that uses the same database and schema runs each scheduled
/// occurrence once among them.
/// </summary>
/// <remarks>
/// The store is registered as a singleton <see cref="IJobStore"/> (and as <see cref="PostgreSqlJobStore"/>, for
/// <see cref="PostgreSqlJobStore.PruneAsync"/> and the history) and set as <see cref="SchedulerOptions.Store"/> unless
/// code set another store there. Nothing is opened until the scheduler starts; the host disposes the store when it stops.
/// </remarks>
public static class ChronoFlowBuilderPostgreSqlExtensions
{
    /// <summary>Keeps the scheduler's state and history in the schema <c>chronoflow</c> of a PostgreSQL database, with the default retention.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or malformed.</exception>
    public static ChronoFlowBuilder UsePostgreSql(this ChronoFlowBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgreSql(options => options.ConnectionString = connectionString);
    }

    /// <summary>Keeps the scheduler's state and history in PostgreSQL, with the options set by <paramref name="configure"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the connection string, the schema and the retention; called once, now.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is out of range, or the connection string is not set; the message lists each problem.</exception>
    public static ChronoFlowBuilder UsePostgreSql(this ChronoFlowBuilder builder, Action<PostgreSqlJobStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new PostgreSqlJobStoreOptions();
        configure(options);

        // Checked now, so a bad option fails at registration rather than at start.
        var errors = options.GetErrors();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(configure));
        }

        builder.Services.AddSingleton(_ => new PostgreSqlJobStore(options));
        builder.Services.AddSingleton<IJobStore>(services => services.GetRequiredService<PostgreSqlJobStore>());
        return builder;
    }
}
