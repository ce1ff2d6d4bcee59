using System.Collections.Immutable;
using System.Text;

namespace ChronoFlow.Files;

/// <summary>What the service knows about the user it runs as and how it could run a command as another user.</summary>
/// <param name="UserName">The user the service runs as.</param>
/// <param name="IsPrivileged">Whether the service may switch users (root on Unix).</param>
/// <param name="RunuserPath">The full path of util-linux <c>runuser</c>, or <see langword="null"/> when there is none.</param>
/// <param name="LookUpUser">Whether a user exists: <see langword="true"/>, <see langword="false"/>, or <see langword="null"/> when the look-up failed.</param>
internal sealed record UserSwitchHost(string UserName, bool IsPrivileged, string? RunuserPath, Func<string, bool?> LookUpUser)
{
    private static readonly string[] s_runuserPaths = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"];

    /// <summary>Gets this process: its user, whether it is root, and the machine's <c>runuser</c>.</summary>
    public static UserSwitchHost Current { get; } = new(
        Environment.UserName,
        !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess,
        OperatingSystem.IsWindows() ? null : Array.Find(s_runuserPaths, File.Exists),
        UserExists);

    /// <summary>Looks <paramref name="name"/> up in the user database (files, LDAP …) with <c>getpwnam_r</c>.</summary>
    internal static bool? UserExists(string name)
    {
        if (OperatingSystem.IsWindows() || name.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var nameBytes = Encoding.UTF8.GetBytes(name + "\0");

        // struct passwd is at most 10 pointer-sized fields on the supported systems; 128 bytes holds it.
        var entry = new byte[128];
        for (var size = 4096; size <= 1 << 20; size *= 4)
        {
            var buffer = new byte[size];
            var error = NativeMethods.getpwnam_r(nameBytes, entry, buffer, (nuint)buffer.Length, out var result);
            if (error == 0)
            {
                return result != IntPtr.Zero;
            }

            if (error != NativeMethods.ERANGE)
            {
                return null;
            }
        }

        return null;
    }
}

/// <summary>
/// Decides how a system-crontab line (one with a user column) runs: as the service's own user, through
/// <c>runuser -u USER --</c> when the service is root, or not at all. A command never runs as the wrong user.
/// </summary>
internal static class UserSwitch
{
    /// <summary>
    /// Returns the arguments to put before the command (empty when the line's user is the service's), or sets
    /// <paramref name="error"/> to why the line cannot run and returns <see langword="default"/>.
    /// </summary>
    /// <param name="user">The line's user column.</param>
    /// <param name="host">Who the service is.</param>
    /// <param name="environment">
    /// The line's environment. runuser sets <c>HOME</c> to the user's home; a crontab <c>HOME=</c> line wins over that
    /// in cron, so it is set again after the switch with <c>env</c>.
    /// </param>
    /// <param name="error">Why the line cannot run, or <see langword="null"/>.</param>
    public static ImmutableArray<string> Plan(string user, UserSwitchHost host, IReadOnlyDictionary<string, string>? environment, out string? error)
    {
        error = null;
        if (string.Equals(user, host.UserName, StringComparison.Ordinal))
        {
            return [];
        }

        if (OperatingSystem.IsWindows())
        {
            error = $"runs as '{user}', but this service runs as '{host.UserName}' and cannot switch users on Windows; this line is not loaded";
            return default;
        }

        if (!host.IsPrivileged)
        {
            error = $"runs as '{user}', but this service runs as '{host.UserName}' and cannot switch users (only root can); this line is not loaded";
            return default;
        }

        if (host.RunuserPath is not { } runuser)
        {
            error = $"runs as '{user}', but this service runs as '{host.UserName}' and runuser (util-linux), which it needs to switch users, was not found; this line is not loaded";
            return default;
        }

        switch (host.LookUpUser(user))
        {
            case false:
                error = $"runs as '{user}', but there is no user '{user}' on this system; this line is not loaded";
                return default;
            case null:
                error = $"runs as '{user}', but the user '{user}' could not be looked up; this line is not loaded";
                return default;
        }

        return environment is not null && environment.TryGetValue("HOME", out var home)
            ? [runuser, "-u", user, "--", "env", "HOME=" + home]
            : [runuser, "-u", user, "--"];
    }
}
