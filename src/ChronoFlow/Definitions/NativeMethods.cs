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
}
