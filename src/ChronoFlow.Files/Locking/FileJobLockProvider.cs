using System.Globalization;
using System.Text;

namespace ChronoFlow;

/// <summary>
/// An <see cref="IJobLockProvider"/> whose leases are exclusive locks on files in one directory, so that a job with a
/// lock key runs in only one process at a time on the machine (like web2py's <c>cron.master</c>).
/// </summary>
/// <remarks>
/// A lease is an open file handle with an exclusive operating-system lock (<c>flock</c> on Unix, a sharing lock on
/// Windows). It ends when the run ends, and the operating system ends it when the process dies, so a lease is never
/// held forever. Lock files stay in the directory: deleting them would let two processes lock two different files.
/// </remarks>
/// <threadsafety>Safe to call from any thread.</threadsafety>
public sealed class FileJobLockProvider : IJobLockProvider
{
    /// <summary>Creates a provider that keeps its lock files in <paramref name="directory"/>, creating it when missing.</summary>
    /// <param name="directory">The directory for the lock files; every cooperating process must use the same one.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    public FileJobLockProvider(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>Gets the full path of the directory holding the lock files.</summary>
    public string Directory { get; }

    /// <summary>Gets the path of the lock file for <paramref name="key"/>.</summary>
    /// <param name="key">The lock key.</param>
    /// <returns>The path: the key with unsafe characters replaced, and a hash when any were, plus <c>.lock</c>.</returns>
    public string GetLockFilePath(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var safe = new StringBuilder(key.Length + 16);
        var replaced = false;
        foreach (var c in key)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
            safe.Append(ok ? c : '_');
            replaced |= !ok;
        }

        if (replaced || key.StartsWith('.'))
        {
            var h = 2166136261U;
            foreach (var c in key)
            {
                h = (h ^ c) * 16777619U;
            }

            safe.Append('-').Append(h.ToString("x8", CultureInfo.InvariantCulture));
        }

        return Path.Combine(Directory, safe.Append(".lock").ToString());
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">The lock file cannot be created or opened for a reason other than another holder.</exception>
    /// <exception cref="UnauthorizedAccessException">The process may not write the lock directory.</exception>
    public ValueTask<IAsyncDisposable?> TryAcquireAsync(string key, CancellationToken cancellationToken)
    {
        var path = GetLockFilePath(key);
        System.IO.Directory.CreateDirectory(Directory);
        FileStream stream;
        try
        {
            // FileShare.None is an exclusive lock: flock(LOCK_EX | LOCK_NB) on Unix, a sharing lock on Windows.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.None);
        }
        catch (IOException ex) when (IsHeldElsewhere(ex))
        {
            return new((IAsyncDisposable?)null);
        }

        try
        {
            // The holder's process id, for people who wonder who holds the lock.
            stream.SetLength(0);
            var text = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            stream.Write(text);
            stream.Flush();
        }
        catch (IOException)
        {
            // The lock is held; the note is only informative.
        }

        return new(new Lease(stream));
    }

    private static bool IsHeldElsewhere(IOException ex)
    {
        // Windows: ERROR_SHARING_VIOLATION or ERROR_LOCK_VIOLATION. Unix: .NET reports a failed flock(LOCK_NB) as an
        // IOException whose HResult is the errno, EWOULDBLOCK (11 on Linux, 35 on macOS and the BSDs). Any other
        // failure (disk, permissions) is not contention and propagates.
        const int SharingViolation = unchecked((int)0x80070020);
        const int LockViolation = unchecked((int)0x80070021);
        const int EWouldBlockLinux = 11;
        const int EWouldBlockBsd = 35;
        return ex.HResult switch
        {
            SharingViolation or LockViolation => true,
            EWouldBlockLinux => OperatingSystem.IsLinux(),
            EWouldBlockBsd => OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD(),
            _ => false,
        };
    }

    private sealed class Lease(FileStream stream) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}
