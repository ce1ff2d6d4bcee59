namespace ChronoFlow.Tests.Definitions;

/// <summary>A fact that runs only on Linux (it reads /proc or needs POSIX tools and file modes); skipped elsewhere with the reason.</summary>
internal sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux (/proc, /bin/sh, setsid, Unix file modes).";
        }
    }
}

/// <summary>
/// A fact that needs to switch users for real: Linux, running as root, with runuser and the user <c>nobody</c>.
/// Skipped elsewhere with the reason (the refusal paths are covered with a simulated host).
/// </summary>
internal sealed class RootLinuxFactAttribute : FactAttribute
{
    public RootLinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Needs Linux.";
        }
        else if (!Environment.IsPrivilegedProcess)
        {
            Skip = "Needs root to switch users.";
        }
        else if (ChronoFlow.Definitions.UserSwitchHost.Current.RunuserPath is null || ChronoFlow.Definitions.UserSwitchHost.UserExists("nobody") != true)
        {
            Skip = "Needs runuser (util-linux) and the user nobody.";
        }
    }
}
