using System.Collections.Immutable;
using System.Text;

namespace ChronoFlow.Files;

/// <summary>
/// Loads one crontab file and tells, on each <see cref="Load"/>, what changed since the previous load, with the
/// same rules as <see cref="JobsDirectoryLoader"/>: security check, diagnostics reported once per content, and a
/// settle time for a file that looks half-written.
/// </summary>
/// <remarks>
/// A crontab cut off in the middle of a line can still look valid, so a non-empty file whose last line has no
/// newline is taken as still being written until its content has stayed the same for the settle time; then it is
/// loaded as it is (cron itself requires the final newline; ChronoFlow accepts the line). Likewise a file that had
/// jobs and is now empty (the first step of a truncate-and-write save) removes its jobs only once it has stayed
/// empty for the settle time. The lines of a crontab
/// are independent: a broken line is reported and every other line loads. A missing or unreadable file is an error
/// and defines no jobs.
/// </remarks>
/// <threadsafety>Not thread-safe: call <see cref="Load"/> from one thread at a time.</threadsafety>
internal sealed class CrontabFileLoader
{
    private readonly CrontabParseOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _settleTime;
    private readonly bool _checkSecurity;
    private readonly DefinitionFile _file;
    private Dictionary<string, JobDefinition> _current = new(StringComparer.Ordinal);

    public CrontabFileLoader(string path, CrontabParseOptions? options = null, TimeProvider? timeProvider = null, TimeSpan? settleTime = null, bool checkFileSecurity = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _file = new DefinitionFile(path);
        _options = options ?? new CrontabParseOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _settleTime = settleTime ?? TimeSpan.FromSeconds(2);
        _checkSecurity = checkFileSecurity;
    }

    public string Path => _file.Path;

    public IReadOnlyDictionary<string, JobDefinition> Current => _current;

    public ImmutableArray<DefinitionDiagnostic> CurrentDiagnostics => _file.Result.Diagnostics;

    public DefinitionChanges Load()
    {
        switch (_file.Load(Parse, _checkSecurity, "the crontab file does not exist; no jobs are loaded from it", _timeProvider, _settleTime))
        {
            case DefinitionFileLoad.Pending:
                return DefinitionChanges.None with { HasPendingFiles = true };
            case DefinitionFileLoad.Loaded:
                break;
            default:
                return DefinitionChanges.None;
        }

        // Only a new content gets here, and a new content reports everything it has; the same content never again.
        var reported = ImmutableArray.CreateBuilder<DefinitionDiagnostic>();
        _file.ReportNew(_file.Result.Diagnostics, reported);
        var next = _file.Result.Definitions.ToDictionary(static d => d.JobId, StringComparer.Ordinal);
        var (added, changed, removed) = DefinitionChanges.Diff(_current, next);
        _current = next;
        return new DefinitionChanges(added, changed, removed, reported.ToImmutable(), false);
    }

    private (DefinitionFileResult Result, bool LooksPartial) Parse(string path, byte[] content)
    {
        // Cut off mid-line, or just truncated by a truncate-and-write save: wait until it settles.
        var looksPartial = content.Length > 0 ? content[^1] != (byte)'\n' : _current.Count > 0;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException ex)
        {
            return (new DefinitionFileResult([], [DefinitionDiagnostic.Error(path, string.Empty, $"is not valid UTF-8 text (byte {ex.Index})")]), looksPartial);
        }

        return (CrontabParser.Parse(text.StartsWith('\uFEFF') ? text[1..] : text, path, _options), looksPartial);
    }
}
