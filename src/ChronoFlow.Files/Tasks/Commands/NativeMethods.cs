using System.Runtime.InteropServices;

namespace ChronoFlow.Files;

/// <summary>The libc calls the command runner needs on Unix to signal a process group. Blittable, so AOT-safe.</summary>
internal static class NativeMethods
{
    // int kill(pid_t pid, int sig): a negative pid signals the process group -pid; signal 0 only checks existence.
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int kill(int pid, int sig);

    // pid_t getpgid(pid_t pid)
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int getpgid(int pid);

    /// <summary>errno ERANGE: the buffer given to <see cref="getpwnam_r"/> is too small (34 on Linux and macOS).</summary>
    internal const int ERANGE = 34;

    // int getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t buflen, struct passwd **result):
    // 0 with *result set when found, 0 with *result NULL when not, an errno otherwise. The name is NUL-terminated
    // UTF-8; pwd and buf are pinned byte arrays only ever read through result's nullness.
    [DllImport("libc", SetLastError = false)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int getpwnam_r(byte[] name, byte[] pwd, byte[] buf, nuint buflen, out IntPtr result);

    // int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen, struct passwd **result): as getpwnam_r.
    [DllImport("libc", SetLastError = false)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int getpwuid_r(uint uid, IntPtr pwd, IntPtr buf, nuint buflen, out IntPtr result);

    // int getgrgid_r(gid_t gid, struct group *grp, char *buf, size_t buflen, struct group **result): as getpwnam_r.
    [DllImport("libc", SetLastError = false)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int getgrgid_r(uint gid, IntPtr grp, IntPtr buf, nuint buflen, out IntPtr result);

    // uid_t geteuid(void)
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern uint geteuid();

    // int statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct statx *statxbuf) (glibc 2.28+).
    // The path is NUL-terminated UTF-8 and the result a 256-byte buffer, both passed as pinned byte arrays.
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    internal static extern int statx(int dirfd, byte[] pathname, int flags, uint mask, byte[] statxbuf);
}
