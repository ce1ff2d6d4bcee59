using ChronoFlow.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChronoFlow.Files;

/// <summary>A jobs directory or crontab added on the builder.</summary>
/// <param name="Path">The directory or file.</param>
/// <param name="IsCrontab"><see langword="true"/> for a crontab file, <see langword="false"/> for a jobs directory.</param>
/// <param name="HasUserColumn">For a crontab: whether its lines have a user column.</param>
internal sealed record FileSourceRegistration(string Path, bool IsCrontab, bool HasUserColumn);

/// <summary>Options set on every job-file source of the host (<c>ConfigureJobFiles</c>).</summary>
/// <param name="Configure">Sets the options.</param>
internal sealed record JobFilesConfiguration(Action<JobFileSourceOptions> Configure);

/// <summary>A task type for job files, added on the builder; built once the container exists.</summary>
/// <param name="Name">The task type name, as job files write it in <c>task.type</c>.</param>
/// <param name="Create">Builds the task type, whose executor runs in a new scope of the given root provider.</param>
internal sealed record TaskTypeRegistration(string Name, Func<IServiceProvider, JobTaskType> Create);

/// <summary>
/// The job files of a host, as one <see cref="IJobSource"/>: the directories and crontabs added in code and in
/// configuration, with the task types added in code, each read into a <see cref="JobFileSource"/>.
/// </summary>
internal sealed class JobFilesHostedSource(IServiceProvider services, IConfiguration? configuration = null, ILoggerFactory? loggerFactory = null) : IJobSource
{
    private const string SectionName = "ChronoFlow";
    private readonly List<JobFileSource> _sources = [];

    public async Task StartAsync(JobScheduler scheduler, CancellationToken cancellationToken)
    {
        var registrations = services.GetServices<FileSourceRegistration>().Concat(ReadConfiguration()).ToList();
        var taskTypes = services.GetServices<TaskTypeRegistration>().Select(r => r.Create(services)).ToList();
        foreach (var options in CreateOptions(registrations))
        {
            ApplyServices(services, options, taskTypes);
            var source = new JobFileSource(scheduler, options, loggerFactory ?? NullLoggerFactory.Instance, scheduler.TimeProvider);
            _sources.Add(source);
            await source.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The binder of jobs defined as data for the host's scheduler: the task types and settings of the host's job files.
    /// </summary>
    internal static JobFileDefinitionBinder CreateBinder(IServiceProvider services)
    {
        var options = new JobFileSourceOptions();
        ApplyServices(services, options, [.. services.GetServices<TaskTypeRegistration>().Select(r => r.Create(services))]);
        return new JobFileDefinitionBinder(options, services.GetService<ILoggerFactory>());
    }

    /// <summary>What every source of the host shares: the task types, the HTTP client factory, the ConfigureJobFiles callbacks.</summary>
    private static void ApplyServices(IServiceProvider services, JobFileSourceOptions options, IReadOnlyList<JobTaskType> taskTypes)
    {
        if (services.GetService<IHttpClientFactory>() is { } httpClients)
        {
            options.HttpClientFactory = () => httpClients.CreateClient(Microsoft.Extensions.DependencyInjection.ChronoFlowBuilderFilesExtensions.HttpClientName);
        }

        foreach (var taskType in taskTypes)
        {
            options.TaskTypes.Add(taskType);
        }

        foreach (var configuration in services.GetServices<JobFilesConfiguration>())
        {
            configuration.Configure(options);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var source in _sources)
        {
            await source.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The <c>ChronoFlow:JobsDirectory</c> key and the <c>ChronoFlow:Crontabs</c> array.</summary>
    private IEnumerable<FileSourceRegistration> ReadConfiguration()
    {
        if (configuration is null)
        {
            yield break;
        }

        var section = configuration.GetSection(SectionName);
        if (section["JobsDirectory"] is { } directory && !string.IsNullOrWhiteSpace(directory))
        {
            yield return new FileSourceRegistration(directory.Trim(), IsCrontab: false, HasUserColumn: false);
        }

        foreach (var crontab in section.GetSection("Crontabs").GetChildren())
        {
            if (string.IsNullOrWhiteSpace(crontab.Value))
            {
                throw new InvalidOperationException($"{crontab.Path}: expected the path of a crontab file.");
            }

            yield return new FileSourceRegistration(crontab.Value.Trim(), IsCrontab: true, HasUserColumn: false);
        }
    }

    private static IEnumerable<JobFileSourceOptions> CreateOptions(IReadOnlyList<FileSourceRegistration> registrations)
    {
        foreach (var directory in registrations.Where(static r => !r.IsCrontab).Select(static r => r.Path).Distinct(StringComparer.Ordinal))
        {
            yield return new JobFileSourceOptions { JobsDirectory = directory };
        }

        // Crontabs share one source per kind, so that duplicate lines across them are reported as such.
        foreach (var group in registrations.Where(static r => r.IsCrontab).GroupBy(static r => r.HasUserColumn))
        {
            var options = new JobFileSourceOptions { CrontabHasUserColumn = group.Key };
            foreach (var path in group.Select(static r => r.Path).Distinct(StringComparer.Ordinal))
            {
                options.CrontabFiles.Add(path);
            }

            yield return options;
        }
    }
}
