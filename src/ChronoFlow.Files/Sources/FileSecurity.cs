using System.Runtime.InteropServices;
using System.Text;

namespace ChronoFlow.Files;

/// <summary>
/// Refuses definition files that someone else could have changed, as cron refuses insecure crontabs: a job file
/// runs commands as the service's user, so whoever can write it can run anything as that user.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>On Unix a file writable by others (<see cref="File.GetUnixFileMode(string)"/>) is refused.</item>
/// <item>A file writable by its group is refused too, unless that group is the owner's <b>private group</b> (the
/// user private group scheme of Debian, Ubuntu, Fedora and most distributions, under which umask 002 is the
/// default): the file's group is the owner's primary group, has the owner's user name, and lists no member other
/// than the owner. Nobody but the owner can then write the file, so it is as safe as mode 0644. This needs the
/// file's group from <c>statx</c> and the user and group databases (<c>getpwuid_r</c>, <c>getgrgid_r</c>, so LDAP
/// and other NSS sources count); when any of them cannot be read, a group-writable file is refused.</item>
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

        if ((mode & UnixFileMode.OtherWrite) != 0)
        {
            return $"BAD FILE MODE: writable by others (mode {Octal(mode)}); not loaded. Fix with: chmod go-w '{path}'";
        }

        uint owner = 0, group = 0;
        var known = OperatingSystem.IsLinux() && TryGetOwner(path, out owner, out group);
        if ((mode & UnixFileMode.GroupWrite) != 0 && !(known && IsPrivateGroup(owner, group)))
        {
            var which = known && GroupName(group) is { } name ? $"its group '{name}'" : "its group";
            return $"BAD FILE MODE: writable by {which} (mode {Octal(mode)}), which is not the owner's private group; not loaded. Fix with: chmod g-w '{path}'";
        }

        if (known)
        {
            var me = NativeMethods.geteuid();
            if (owner != me && owner != 0)
            {
                return $"WRONG FILE OWNER: owned by uid {owner}, but only uid {me} (the service's user) or root may own it; not loaded";
            }
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="group"/> is the private group of <paramref name="owner"/>: the owner's primary group,
    /// named as the owner, with no other member. Internal for tests.
    /// </summary>
    internal static bool IsPrivateGroup(uint owner, uint group)
    {
        if (ReadPasswd(owner) is not { } user || user.Gid != group || ReadGroup(group) is not { } entry)
        {
            return false;
        }

        return string.Equals(entry.Name, user.Name, StringComparison.Ordinal)
            && entry.Members.All(m => string.Equals(m, user.Name, StringComparison.Ordinal));
    }

    private static string? GroupName(uint gid) => ReadGroup(gid)?.Name;

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8);

    private static bool TryGetOwner(string path, out uint owner, out uint group)
    {
        owner = 0;
        group = 0;
        const int AtFdCwd = -100;
        const uint StatxUid = 0x8;
        const uint StatxGid = 0x10;
        var pathBytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, pathBytes);
        var buffer = new byte[256];
        try
        {
            if (NativeMethods.statx(AtFdCwd, pathBytes, 0, StatxUid | StatxGid, buffer) != 0)
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

        // struct statx, in native byte order: u32 stx_mask @0 ... u32 stx_uid @20, u32 stx_gid @24.
        var mask = BitConverter.ToUInt32(buffer, 0);
        if ((mask & (StatxUid | StatxGid)) != (StatxUid | StatxGid))
        {
            return false;
        }

        owner = BitConverter.ToUInt32(buffer, 20);
        group = BitConverter.ToUInt32(buffer, 24);
        return true;
    }

    // struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; ... } and
    // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; } on 64-bit Linux (LP64).
    private static (string Name, uint Gid)? ReadPasswd(uint uid) => WithEntry(
        (entry, buffer, size) => NativeMethods.getpwuid_r(uid, entry, buffer, size, out var result) == 0 ? result : IntPtr.Zero,
        static entry => (Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry)) ?? string.Empty, (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size + 4)));

    private static (string Name, List<string> Members)? ReadGroup(uint gid) => WithEntry(
        (entry, buffer, size) => NativeMethods.getgrgid_r(gid, entry, buffer, size, out var result) == 0 ? result : IntPtr.Zero,
        static entry =>
        {
            var members = new List<string>();
            var list = Marshal.ReadIntPtr(entry, 3 * IntPtr.Size);
            for (var i = 0; list != IntPtr.Zero; i++)
            {
                var member = Marshal.ReadIntPtr(list, i * IntPtr.Size);
                if (member == IntPtr.Zero)
                {
                    break;
                }

                members.Add(Marshal.PtrToStringUTF8(member) ?? string.Empty);
            }

            return (Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry)) ?? string.Empty, members);
        });

    /// <summary>Calls a <c>get*_r</c> function with native buffers and reads its entry; <see langword="null"/> when not found or on any failure.</summary>
    private static T? WithEntry<T>(Func<IntPtr, IntPtr, nuint, IntPtr> call, Func<IntPtr, T> read)
        where T : struct
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8)
        {
            return null;
        }

        const int EntrySize = 64;
        const int BufferSize = 64 * 1024;
        var entry = Marshal.AllocHGlobal(EntrySize);
        var buffer = Marshal.AllocHGlobal(BufferSize);
        try
        {
            var result = call(entry, buffer, BufferSize);
            return result == IntPtr.Zero ? null : read(result);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
            Marshal.FreeHGlobal(entry);
        }
    }
}
