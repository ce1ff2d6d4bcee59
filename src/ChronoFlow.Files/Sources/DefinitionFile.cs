using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace ChronoFlow.Files;

/// <summary>What <see cref="DefinitionFile.Load"/> did.</summary>
internal enum DefinitionFileLoad
{
    /// <summary>The content (and its security finding) is the one already loaded.</summary>
    Unchanged,

    /// <summary>A new content was loaded into <see cref="DefinitionFile.Result"/>.</summary>
    Loaded,

    /// <summary>The file looks half-written and has not settled yet: ask for another scan.</summary>
    Pending,

    /// <summary>The file is gone (only when the loader has no error for a missing file).</summary>
    Missing,
}

/// <summary>
/// One definition file as a loader sees it, with what both loaders (<see cref="JobsDirectoryLoader"/>,
/// <see cref="CrontabFileLoader"/>) share: the security check (<see cref="FileSecurity"/>), the content hash that
/// tells a new content from the one loaded, the settle time of a file that looks half-written, and the diagnostics
/// bookkeeping that reports each finding once per content. How a content becomes definitions is the loader's.
/// </summary>
/// <threadsafety>Not thread-safe: loaders call it from one thread at a time.</threadsafety>
internal class DefinitionFile(string path)
{
    private byte[]? _hash;
    private byte[]? _pendingHash;
    private DateTimeOffset _pendingSince;
    private HashSet<string> _reported = new(StringComparer.Ordinal);

    public string Path { get; } = path;

    /// <summary>What the file defined when its current content was loaded.</summary>
    public DefinitionFileResult Result { get; private set; } = new([], []);

    /// <summary>
    /// Reads the file and, when its content is new, turns it into definitions with <paramref name="parse"/>, which
    /// also tells whether the content looks half-written; such a content is loaded only once it has stayed the same
    /// for <paramref name="settleTime"/> (seen unchanged that long, or last written that long ago).
    /// </summary>
    /// <param name="parse">The loader's reading of a content (given the path and the content).</param>
    /// <param name="checkSecurity">Refuse a file writable by group or others, or owned by another user.</param>
    /// <param name="missingError">The error for a missing file, or <see langword="null"/> when a missing file is simply gone.</param>
    /// <param name="timeProvider">The clock of the settle time.</param>
    /// <param name="settleTime">How long a half-written-looking content must stay the same.</param>
    public DefinitionFileLoad Load(Func<string, byte[], (DefinitionFileResult Result, bool LooksPartial)> parse, bool checkSecurity, string? missingError, TimeProvider timeProvider, TimeSpan settleTime)
    {
        string? error = null;
        byte[] content;
        DateTime lastWrite;
        try
        {
            error = checkSecurity ? FileSecurity.Check(Path) : null;
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            content = new byte[stream.Length];
            stream.ReadExactly(content);
            lastWrite = File.GetLastWriteTimeUtc(Path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            if (missingError is null)
            {
                return DefinitionFileLoad.Missing;
            }

            error = missingError;
            content = [];
            lastWrite = default;
        }
        catch (EndOfStreamException)
        {
            // Truncated while being read: it is being written.
            return DefinitionFileLoad.Pending;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error ??= $"cannot be read: {ex.Message}";
            content = [];
            lastWrite = default;
        }

        var hash = Hash(content, error);
        if (_hash is not null && hash.AsSpan().SequenceEqual(_hash))
        {
            _pendingHash = null;
            return DefinitionFileLoad.Unchanged;
        }

        if (error is not null)
        {
            Accept(hash, new DefinitionFileResult([], [DefinitionDiagnostic.Error(Path, string.Empty, error)]));
            return DefinitionFileLoad.Loaded;
        }

        var (result, looksPartial) = parse(Path, content);
        if (looksPartial)
        {
            var now = timeProvider.GetUtcNow();
            if (_pendingHash is null || !hash.AsSpan().SequenceEqual(_pendingHash))
            {
                _pendingHash = hash;
                _pendingSince = now;
            }

            if (now - _pendingSince < settleTime && now - lastWrite < settleTime)
            {
                return DefinitionFileLoad.Pending;
            }
        }

        Accept(hash, result);
        return DefinitionFileLoad.Loaded;
    }

    /// <summary>Adds to <paramref name="reported"/> each of <paramref name="diagnostics"/> not yet reported for this content.</summary>
    public void ReportNew(IEnumerable<DefinitionDiagnostic> diagnostics, ImmutableArray<DefinitionDiagnostic>.Builder reported)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var diagnostic in diagnostics)
        {
            var key = diagnostic.ToString();
            keys.Add(key);
            if (!_reported.Contains(key))
            {
                reported.Add(diagnostic);
            }
        }

        _reported = keys;
    }

    private void Accept(byte[] hash, DefinitionFileResult result)
    {
        _hash = hash;
        _pendingHash = null;
        Result = result;
        _reported = new HashSet<string>(StringComparer.Ordinal);
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
