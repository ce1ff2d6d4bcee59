using System.Collections.Immutable;

namespace ChronoFlow.Files;

/// <summary>Options for <see cref="JobsDirectoryLoader"/>.</summary>
internal sealed record JobsDirectoryOptions
{
    /// <summary>The task types by name (<see cref="BuiltInTaskTypes.CreateTable"/>); <see langword="null"/> for the built-in ones only.</summary>
    public IReadOnlyDictionary<string, JobTaskType>? TaskTypes { get; init; }

    /// <summary>
    /// How long a file that is not valid JSON must stay unchanged before it is reported as broken rather than taken
    /// for a file still being written. Default 2 seconds.
    /// </summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Refuse files writable by group or others, or owned by another user (<see cref="FileSecurity"/>). Default on.</summary>
    public bool CheckFileSecurity { get; init; } = true;
}

/// <summary>
/// Loads a directory of job files and tells, on each <see cref="Scan"/>, what changed since the previous scan.
/// </summary>
/// <remarks>
/// <para>
/// <b>Which files.</b> Every <c>*.json</c> directly in the directory, in ordinal order of file name. Names that
/// start with <c>.</c> are skipped, so editors' temporary files (<c>.report.json.swp</c>, <c>.#report.json</c>) and
/// the temporary file of a write-then-rename save are never read.
/// </para>
/// <para>
/// <b>Half-written files.</b> A file that is not valid JSON (empty, cut off) is reported only once it has kept the
/// same content for <see cref="JobsDirectoryOptions.SettleTime"/>: seen with the same content by a later scan at
/// least that long after it was first seen, or with a last-write time at least that old. Until then the file
/// keeps its previous definitions and <see cref="DefinitionChanges.HasPendingFiles"/> asks for another scan. A file
/// that is valid JSON but not a valid definition is reported at once.
/// </para>
/// <para>
/// <b>Broken files.</b> A file that fails validation (or the security check) defines nothing: the job it defined
/// before is removed, so what runs is always what the directory says. Its diagnostics are reported once per
/// content; the same broken content is not reported again on later scans.
/// </para>
/// <para>
/// <b>Duplicate ids.</b> When two files define the same <c>job_id</c>, the file that already had it keeps it and
/// the other file is an error that names both. When neither had it (both new in one scan, or at start-up), the
/// first file in ordinal name order keeps it. When the keeping file is deleted or changes its id, the next scan
/// gives the id to the other file.
/// </para>
/// <para>
/// <b>A file that turns invalid keeps its ids.</b> A file that had loaded and no longer validates (or no longer
/// passes the security check) still claims the ids it defined last: their jobs are stopped, the file gets an error
/// saying so, and another file that defines one of those ids stays refused with an error naming both files. The id
/// is never silently handed to another file's definition: the claim ends only when the file is fixed, deleted, or
/// made valid with another id.
/// </para>
/// <para>
/// <b>Moves and renames.</b> Changes are by job id and <see cref="JobDefinition.Fingerprint"/>: a file renamed, or
/// re-formatted without a change of meaning, reports nothing.
/// </para>
/// </remarks>
/// <threadsafety>Not thread-safe: call <see cref="Scan"/> from one thread at a time (the watcher serialises it).</threadsafety>
internal sealed class JobsDirectoryLoader
{
    private readonly string _directory;
    private readonly JobsDirectoryOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private Dictionary<string, string> _owners = new(StringComparer.Ordinal);
    private Dictionary<string, JobDefinition> _current = new(StringComparer.Ordinal);
    private string? _directoryError;

    public JobsDirectoryLoader(string directory, JobsDirectoryOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = directory;
        _options = options ?? new JobsDirectoryOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public string Directory => _directory;

    /// <summary>The definitions in force after the last scan, by job id.</summary>
    public IReadOnlyDictionary<string, JobDefinition> Current => _current;

    /// <summary>
    /// Every diagnostic that currently applies (reported or not), for a <c>--check</c> style listing: the directory's
    /// own error (missing, unreadable) first, then each file's in name order.
    /// </summary>
    public ImmutableArray<DefinitionDiagnostic> CurrentDiagnostics =>
    [
        .. _directoryError is null ? [] : new[] { DefinitionDiagnostic.Error(_directory, string.Empty, _directoryError) },
        .. _files.Values.OrderBy(static f => f.Name, StringComparer.Ordinal).SelectMany(static f => f.Diagnostics),
    ];

    /// <summary>Reads the directory and reports what changed since the previous scan.</summary>
    public DefinitionChanges Scan()
    {
        var reported = ImmutableArray.CreateBuilder<DefinitionDiagnostic>();
        var names = ListFiles(reported);
        var pending = false;

        foreach (var gone in _files.Keys.Where(n => !names.Contains(n)).ToList())
        {
            _files.Remove(gone);
        }

        foreach (var name in names)
        {
            if (!_files.TryGetValue(name, out var state))
            {
                state = new FileState(name, Path.Combine(_directory, name));
                _files.Add(name, state);
            }

            switch (state.Load(Parse, _options.CheckFileSecurity, missingError: null, _timeProvider, _options.SettleTime))
            {
                case DefinitionFileLoad.Pending:
                    pending = true;
                    break;
                case DefinitionFileLoad.Missing:
                    state.Vanished = true;
                    break;
                case DefinitionFileLoad.Loaded when !state.Result.Definitions.IsEmpty:
                    // A file that turns invalid later keeps claiming these ids.
                    state.Claims = [.. state.Result.Definitions.Select(static d => d.JobId)];
                    break;
            }
        }

        // Drop states of files that vanished while being read.
        foreach (var vanished in _files.Values.Where(static f => f.Vanished).Select(static f => f.Name).ToList())
        {
            _files.Remove(vanished);
        }

        var next = AssignOwners();
        foreach (var state in _files.Values.OrderBy(static f => f.Name, StringComparer.Ordinal))
        {
            state.ReportNew(state.Diagnostics, reported);
        }

        var (added, changed, removed) = DefinitionChanges.Diff(_current, next);
        _current = next;
        return new DefinitionChanges(added, changed, removed, reported.ToImmutable(), pending);
    }

    private SortedSet<string> ListFiles(ImmutableArray<DefinitionDiagnostic>.Builder reported)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        string? error = null;
        try
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(_directory, "*.json", SearchOption.TopDirectoryOnly))
            {
                var name = Path.GetFileName(path);
                if (!name.StartsWith('.') && name.EndsWith(".json", StringComparison.Ordinal))
                {
                    names.Add(name);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            error = "the jobs directory does not exist; no jobs are loaded from it";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"the jobs directory cannot be read: {ex.Message}";
        }

        if (error is not null && error != _directoryError)
        {
            // The same text as CurrentDiagnostics lists while the error lasts.
            reported.Add(DefinitionDiagnostic.Error(_directory, string.Empty, error));
        }

        _directoryError = error;
        return names;
    }

    private (DefinitionFileResult Result, bool LooksPartial) Parse(string path, byte[] content)
    {
        // Text that is not JSON at all may be a file still being written.
        var parsed = JobFileParser.Parse(content, path, _options.TaskTypes);
        return (parsed.Result, parsed.MalformedJson);
    }

    private Dictionary<string, JobDefinition> AssignOwners()
    {
        var candidates = new Dictionary<string, List<(FileState File, JobDefinition? Definition)>>(StringComparer.Ordinal);
        foreach (var state in _files.Values.OrderBy(static f => f.Name, StringComparer.Ordinal))
        {
            state.DuplicateDiagnostics = [];

            // A file that turned invalid claims the ids it had, with no definition to run.
            IEnumerable<(string Id, JobDefinition? Definition)> entries = state.Result.Definitions.IsEmpty
                ? state.Claims.Select(static id => (id, (JobDefinition?)null))
                : state.Result.Definitions.Select(static d => (d.JobId, (JobDefinition?)d));
            foreach (var (id, definition) in entries)
            {
                if (!candidates.TryGetValue(id, out var list))
                {
                    candidates[id] = list = [];
                }

                list.Add((state, definition));
            }
        }

        var next = new Dictionary<string, JobDefinition>(StringComparer.Ordinal);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, list) in candidates)
        {
            var winner = list[0];
            if (_owners.TryGetValue(id, out var previousOwner))
            {
                foreach (var candidate in list)
                {
                    if (candidate.File.Name == previousOwner)
                    {
                        winner = candidate;
                        break;
                    }
                }
            }

            owners[id] = winner.File.Name;
            if (winner.Definition is { } definition)
            {
                next[id] = definition;
            }
            else
            {
                winner.File.DuplicateDiagnostics = winner.File.DuplicateDiagnostics.Add(DefinitionDiagnostic.Error(
                    winner.File.Path, string.Empty, $"job \"{id}\" is stopped: this file defined it and is now invalid; it keeps the id until it is fixed or deleted"));
            }

            foreach (var (file, _) in list)
            {
                if (!ReferenceEquals(file, winner.File))
                {
                    var reason = winner.Definition is null
                        ? $"duplicate job_id \"{id}\": claimed by {winner.File.Path}, which is invalid now (its job is stopped until it is fixed or deleted); this file is not loaded"
                        : $"duplicate job_id \"{id}\": already defined by {winner.File.Path}; this file is not loaded";
                    file.DuplicateDiagnostics = file.DuplicateDiagnostics.Add(DefinitionDiagnostic.Error(file.Path, "$.job_id", reason));
                }
            }
        }

        // Only jobs whose files lost no duplicate race run: a loser file defines nothing.
        foreach (var state in _files.Values)
        {
            if (!state.DuplicateDiagnostics.IsEmpty)
            {
                foreach (var definition in state.Result.Definitions)
                {
                    if (owners.TryGetValue(definition.JobId, out var owner) && owner == state.Name)
                    {
                        next.Remove(definition.JobId);
                        owners.Remove(definition.JobId);
                    }
                }
            }
        }

        _owners = owners;
        return next;
    }

    private sealed class FileState(string name, string path) : DefinitionFile(path)
    {
        public string Name { get; } = name;

        public bool Vanished { get; set; }

        /// <summary>The ids of the definitions the file had when it last loaded; kept while it is invalid.</summary>
        public ImmutableArray<string> Claims { get; set; } = [];

        public ImmutableArray<DefinitionDiagnostic> DuplicateDiagnostics { get; set; } = [];

        public IEnumerable<DefinitionDiagnostic> Diagnostics => Result.Diagnostics.Concat(DuplicateDiagnostics);
    }
}
