namespace ChronoFlow;

/// <summary>
/// One row of run history: a run that started (running or ended), or occurrences that were due and did not start
/// (skipped or missed, with <see cref="Skipped"/> saying why and <see cref="Count"/> how many).
/// </summary>
/// <threadsafety>Immutable; safe to read from any thread.</threadsafety>
public sealed record RunRecord
{
    /// <summary>The longest <see cref="Output"/> kept, in characters: the tail of a command's output.</summary>
    public const int MaxOutputLength = 4096;

    /// <summary>The longest <see cref="Error"/> kept, in characters.</summary>
    public const int MaxErrorLength = 4096;

    /// <summary>Gets the row's id in its store: the claim's id for a run, 0 before it is stored.</summary>
    public long Id { get; init; }

    /// <summary>Gets the job id.</summary>
    public required string JobId { get; init; }

    /// <summary>Gets the occurrence, UTC; for a triggered run, when it was triggered; for skipped occurrences, the first of them.</summary>
    public DateTimeOffset ScheduledTime { get; init; }

    /// <summary>Gets whether the run was triggered rather than scheduled.</summary>
    public bool Manual { get; init; }

    /// <summary>Gets the process that ran it, or that skipped it.</summary>
    public string Node { get; init; } = "";

    /// <summary>Gets when the first attempt started; <see langword="null"/> when it never started.</summary>
    public DateTimeOffset? StartedTime { get; init; }

    /// <summary>Gets when the run ended, or when it was found abandoned; <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? EndedTime { get; init; }

    /// <summary>Gets how the run ended; <see langword="null"/> while it runs, and for occurrences that did not start.</summary>
    public JobOutcome? Outcome { get; init; }

    /// <summary>Gets why the occurrences did not start; <see cref="SkipReason.None"/> for a run.</summary>
    public SkipReason Skipped { get; init; }

    /// <summary>Gets how many occurrences the row stands for: 1 for a run.</summary>
    public long Count { get; init; } = 1;

    /// <summary>Gets how many attempts started.</summary>
    public int Attempt { get; init; }

    /// <summary>Gets the error of the last attempt: its first <see cref="MaxErrorLength"/> characters at most.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the tail of what the run reported as output (<see cref="JobContext.Output"/>), at most <see cref="MaxOutputLength"/> characters.</summary>
    public string? Output { get; init; }

    /// <summary>Gets how long the run took, when it ended.</summary>
    public TimeSpan? Duration => StartedTime is { } s && EndedTime is { } e ? e - s : null;

    /// <summary>Cuts a text to its last <paramref name="max"/> characters.</summary>
    /// <param name="text">The text.</param>
    /// <param name="max">The most characters kept.</param>
    /// <returns>The text, or its tail.</returns>
    public static string? Tail(string? text, int max) => text is null || text.Length <= max ? text : text[^max..];

    /// <summary>Cuts a text to its first <paramref name="max"/> characters: how an error is kept (its message comes first).</summary>
    /// <param name="text">The text.</param>
    /// <param name="max">The most characters kept.</param>
    /// <returns>The text, or its head.</returns>
    public static string? Head(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}

/// <summary>One page of a job's history, newest first.</summary>
/// <param name="Limit">How many rows at most, up to 1,000; 0 or less (as in <c>default(RunQuery)</c>) means 50.</param>
/// <param name="BeforeId">Only rows older than this id (the last row of the previous page); <see langword="null"/> for the first page.</param>
public readonly record struct RunQuery(int Limit = 50, long? BeforeId = null);
