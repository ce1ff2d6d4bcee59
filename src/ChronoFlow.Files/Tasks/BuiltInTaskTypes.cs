namespace ChronoFlow.Files;

/// <summary>
/// How a task type turns bound settings into what one definition's job runs in a <see cref="JobFileSource"/>, or
/// why it cannot run there (<paramref name="error"/>, with a <see langword="null"/> result).
/// </summary>
internal delegate Func<JobContext, CancellationToken, ValueTask>? TaskPreparer(object settings, JobDefinition definition, JobFileSource source, out string? error);

/// <summary>
/// The built-in task types, <c>execute_command</c> and <c>http_request</c>: ordinary <see cref="JobTaskType"/>s
/// with hand-written settings readers, in the same table as the types an application registers.
/// </summary>
internal static class BuiltInTaskTypes
{
    public static JobTaskType ExecuteCommand { get; } = JobTaskType.CreateBuiltIn(
        TaskDefinition.ExecuteCommand,
        TaskSettingsParser.ParseCommand,
        static (object settings, JobDefinition definition, JobFileSource source, out string? error) => source.PrepareCommand(definition, (CommandTaskSettings)settings, out error));

    public static JobTaskType HttpRequest { get; } = JobTaskType.CreateBuiltIn(
        TaskDefinition.HttpRequest,
        TaskSettingsParser.ParseHttp,
        static (object settings, JobDefinition definition, JobFileSource source, out string? error) => source.PrepareHttp(definition, (HttpTaskSettings)settings, out error));

    /// <summary>The table with the built-in types only.</summary>
    public static IReadOnlyDictionary<string, JobTaskType> Table { get; } = CreateTable([]);

    /// <summary>
    /// The table of task types by name: the built-in ones, then <paramref name="registered"/>. A registered type never
    /// has a built-in name (<see cref="JobTaskType.ValidateName"/>); a name registered twice is an
    /// <see cref="ArgumentException"/> naming <paramref name="what"/>.
    /// </summary>
    public static Dictionary<string, JobTaskType> CreateTable(IEnumerable<JobTaskType> registered, string what = "the task types")
    {
        var byName = new Dictionary<string, JobTaskType>(StringComparer.Ordinal)
        {
            [ExecuteCommand.Name] = ExecuteCommand,
            [HttpRequest.Name] = HttpRequest,
        };
        foreach (var type in registered)
        {
            if (!byName.TryAdd(type.Name, type))
            {
                throw new ArgumentException($"{what} registers the task type \"{type.Name}\" twice; each name may be registered once.", "options");
            }
        }

        return byName;
    }
}
