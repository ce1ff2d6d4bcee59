using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

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
        else if (UserSwitchHost.Current.RunuserPath is null || UserSwitchHost.UserExists("nobody") != true)
        {
            Skip = "Needs runuser (util-linux) and the user nobody.";
        }
    }
}
