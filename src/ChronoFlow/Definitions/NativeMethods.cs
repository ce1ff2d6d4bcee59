using System.Runtime.InteropServices;

namespace ChronoFlow.Definitions;

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
