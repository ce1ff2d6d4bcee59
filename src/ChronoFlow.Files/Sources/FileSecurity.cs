using System.Text;

namespace ChronoFlow.Files;

/// <summary>
/// Refuses definition files that someone else could have changed, as cron refuses insecure crontabs: a job file
/// runs commands as the service's user, so whoever can write it can run anything as that user.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>On Unix a file writable by its group or by others (<see cref="File.GetUnixFileMode(string)"/>) is refused.</item>
/// <item>On Linux a file owned by anyone but the service's effective user or root is refused. The owner comes from
/// the <c>statx</c> system call, whose result layout is the same on every architecture; where <c>statx</c> is not
/// available (old kernels, some sandboxes) and on other Unix systems the owner cannot be determined and only the
/// mode is checked.</item>
/// <item>On Windows nothing is checked: access there is governed by ACLs, which the directory's own ACL should restrict.</item>
/// </list>
/// The file is checked as it is reached through symbolic links, which is what would be read.
/// </remarks>
internal static class FileSecurity
{
    /// <summary>Returns <see langword="null"/> when <paramref name="path"/> may be loaded, otherwise why not.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (the caller decides what that means).</exception>
    public static string? Check(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception ex) when (ex is (IOException or UnauthorizedAccessException) and not (FileNotFoundException or DirectoryNotFoundException))
        {
            return $"cannot read its permissions: {ex.Message}";
        }

        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            return $"BAD FILE MODE: writable by {((mode & UnixFileMode.OtherWrite) != 0 ? "others" : "its group")} (mode {Octal(mode)}); not loaded. Fix with: chmod go-w '{path}'";
        }

        if (OperatingSystem.IsLinux() && TryGetOwner(path, out var owner))
        {
            var me = NativeMethods.geteuid();
            if (owner != me && owner != 0)
            {
                return $"WRONG FILE OWNER: owned by uid {owner}, but only uid {me} (the service's user) or root may own it; not loaded";
            }
        }

        return null;
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8);

    private static bool TryGetOwner(string path, out uint owner)
    {
        owner = 0;
        const int AtFdCwd = -100;
        const uint StatxUid = 0x8;
        var pathBytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, pathBytes);
        var buffer = new byte[256];
        try
        {
            if (NativeMethods.statx(AtFdCwd, pathBytes, 0, StatxUid, buffer) != 0)
            {
                return false;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }

        // struct statx, in native byte order: u32 stx_mask @0 ... u32 stx_uid @20.
        var mask = BitConverter.ToUInt32(buffer, 0);
        if ((mask & StatxUid) == 0)
        {
            return false;
        }

        owner = BitConverter.ToUInt32(buffer, 20);
        return true;
    }
}
