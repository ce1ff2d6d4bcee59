using System.Diagnostics.CodeAnalysis;

namespace ChronoFlow;

/// <summary>
/// Turns a job defined as data (<see cref="JobScheduler.Define(string, string)"/>: the text of a definition, kept in
/// the <see cref="SchedulerOptions.Store"/> for every process sharing it) into a job that runs here. The package
/// ChronoFlow.Files provides one that reads the JSON of a job file and runs its task type.
/// </summary>
/// <remarks>
/// The scheduler calls it when a definition is stored or changes, from the thread that syncs with the store, one call
/// at a time. A process that does not know the definition's task type says so (<see langword="false"/>) and leaves the
/// job to the processes that do: each occurrence is claimed by one of them.
/// </remarks>
public interface IJobDefinitionBinder
{
    /// <summary>Reads <paramref name="definition"/> and, when this process can run it, registers its job on <paramref name="scheduler"/>.</summary>
    /// <param name="scheduler">The scheduler to register the job on, with <see cref="JobScheduler.AddOrUpdate(string, Schedule, Func{JobContext, CancellationToken, ValueTask}, JobOptions?)"/>.</param>
    /// <param name="jobId">The job id the definition is stored under.</param>
    /// <param name="definition">The definition's text.</param>
    /// <param name="reason">Why the job does not run here, when the method returns <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when the job was registered; <see langword="false"/> when this process cannot run it (an unknown task type).</returns>
    /// <exception cref="FormatException">The definition is not valid; the message says what is wrong and where.</exception>
    bool TryBind(JobScheduler scheduler, string jobId, string definition, [NotNullWhen(false)] out string? reason);
}
