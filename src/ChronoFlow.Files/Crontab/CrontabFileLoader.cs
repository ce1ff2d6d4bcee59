using System.Collections.Immutable;
using System.Security.Cryptography;
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
    private readonly string _path;
    private readonly CrontabParseOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _settleTime;
    private readonly bool _checkSecurity;
    private Dictionary<string, JobDefinition> _current = new(StringComparer.Ordinal);
    private byte[]? _hash;
    private byte[]? _pendingHash;
    private DateTimeOffset _pendingSince;
    private ImmutableArray<DefinitionDiagnostic> _diagnostics = [];

    public CrontabFileLoader(string path, CrontabParseOptions? options = null, TimeProvider? timeProvider = null, TimeSpan? settleTime = null, bool checkFileSecurity = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        _options = options ?? new CrontabParseOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _settleTime = settleTime ?? TimeSpan.FromSeconds(2);
        _checkSecurity = checkFileSecurity;
    }

    public string Path => _path;

    public IReadOnlyDictionary<string, JobDefinition> Current => _current;

    public ImmutableArray<DefinitionDiagnostic> CurrentDiagnostics => _diagnostics;

    public DefinitionChanges Load()
    {
        string? error = null;
        byte[] content = [];
        var lastWrite = DateTime.MinValue;
        try
        {
            error = _checkSecurity ? FileSecurity.Check(_path) : null;
            if (error is null)
            {
                content = File.ReadAllBytes(_path);
                lastWrite = File.GetLastWriteTimeUtc(_path);
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            error = "the crontab file does not exist; no jobs are loaded from it";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"cannot be read: {ex.Message}";
        }

        var hash = Hash(content, error);
        if (_hash is not null && hash.AsSpan().SequenceEqual(_hash))
        {
            _pendingHash = null;
            return DefinitionChanges.None;
        }

        DefinitionFileResult result;
        if (error is not null)
        {
            result = new DefinitionFileResult([], [DefinitionDiagnostic.Error(_path, string.Empty, error)]);
        }
        else
        {
            // Cut off mid-line, or just truncated by a truncate-and-write save: wait until it settles.
            var looksPartial = content.Length > 0 ? content[^1] != (byte)'\n' : _current.Count > 0;
            if (looksPartial)
            {
                var now = _timeProvider.GetUtcNow();
                if (_pendingHash is null || !hash.AsSpan().SequenceEqual(_pendingHash))
                {
                    _pendingHash = hash;
                    _pendingSince = now;
                }

                if (now - _pendingSince < _settleTime && now - lastWrite < _settleTime)
                {
                    return DefinitionChanges.None with { HasPendingFiles = true };
                }
            }

            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
            }
            catch (DecoderFallbackException ex)
            {
                text = string.Empty;
                error = $"is not valid UTF-8 text (byte {ex.Index})";
            }

            result = error is null
                ? CrontabParser.Parse(text.StartsWith('\uFEFF') ? text[1..] : text, _path, _options)
                : new DefinitionFileResult([], [DefinitionDiagnostic.Error(_path, string.Empty, error)]);
        }

        _hash = hash;
        _pendingHash = null;
        _diagnostics = result.Diagnostics;
        // Only a new content gets here, and a new content reports everything it has; the same content never again.
        var next = result.Definitions.ToDictionary(static d => d.JobId, StringComparer.Ordinal);
        var (added, changed, removed) = DefinitionChanges.Diff(_current, next);
        _current = next;
        return new DefinitionChanges(added, changed, removed, result.Diagnostics, false);
    }

    private static byte[] Hash(byte[] content, string? error)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(content);
        if (error is not null)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(error));
        }

        return sha.GetHashAndReset();
    }
}
