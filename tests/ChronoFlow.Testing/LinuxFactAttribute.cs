using Xunit;

namespace ChronoFlow.Testing;

/// <summary>A fact that runs only on Linux (it reads /proc or needs POSIX tools and file modes); skipped elsewhere with the reason.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux (/proc, /bin/sh, setsid, Unix file modes).";
        }
    }
}
