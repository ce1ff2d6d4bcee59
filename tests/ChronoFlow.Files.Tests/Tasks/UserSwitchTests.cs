using ChronoFlow.Files;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

public sealed class UserSwitchTests
{
    private static readonly UserSwitchHost s_root = new("root", IsPrivileged: true, "/usr/sbin/runuser", static name => name is "bob" or "root");

    [LinuxFact]
    public void Plan_SameUser_RunsTheCommandAsItIs()
    {
        var alice = s_root with { UserName = "alice", IsPrivileged = false };

        Assert.Empty(UserSwitch.Plan("alice", alice, null, out var error));
        Assert.Null(error);
        Assert.Empty(UserSwitch.Plan("root", s_root, null, out error));
        Assert.Null(error);
    }

    [LinuxFact]
    public void Plan_OtherUserAsRoot_RunsThroughRunuser()
    {
        var prefix = UserSwitch.Plan("bob", s_root, null, out var error);

        Assert.Null(error);
        Assert.Equal(["/usr/sbin/runuser", "-u", "bob", "--"], prefix.ToArray());
    }

    [LinuxFact]
    public void Plan_CrontabSetsHome_HomeIsSetAgainAfterTheSwitch()
    {
        var environment = new Dictionary<string, string> { ["HOME"] = "/srv/bob", ["PATH"] = "/usr/bin" };

        var prefix = UserSwitch.Plan("bob", s_root, environment, out var error);

        Assert.Null(error);
        Assert.Equal(["/usr/sbin/runuser", "-u", "bob", "--", "env", "HOME=/srv/bob"], prefix.ToArray());
    }

    [LinuxFact]
    public void Plan_OtherUserNotRoot_IsRefusedNamingBothUsers()
    {
        var alice = s_root with { UserName = "alice", IsPrivileged = false };

        var prefix = UserSwitch.Plan("bob", alice, null, out var error);

        Assert.True(prefix.IsDefault);
        Assert.Equal("runs as 'bob', but this service runs as 'alice' and cannot switch users (only root can); this line is not loaded", error);
    }

    [LinuxFact]
    public void Plan_RootWithoutRunuser_IsRefused()
    {
        var prefix = UserSwitch.Plan("bob", s_root with { RunuserPath = null }, null, out var error);

        Assert.True(prefix.IsDefault);
        Assert.Equal("runs as 'bob', but this service runs as 'root' and runuser (util-linux), which it needs to switch users, was not found; this line is not loaded", error);
    }

    [LinuxFact]
    public void Plan_UnknownUser_IsRefused()
    {
        var prefix = UserSwitch.Plan("mallory", s_root, null, out var error);

        Assert.True(prefix.IsDefault);
        Assert.Equal("runs as 'mallory', but there is no user 'mallory' on this system; this line is not loaded", error);
    }

    [LinuxFact]
    public void Plan_LookUpFails_IsRefused()
    {
        var prefix = UserSwitch.Plan("bob", s_root with { LookUpUser = static _ => null }, null, out var error);

        Assert.True(prefix.IsDefault);
        Assert.Equal("runs as 'bob', but the user 'bob' could not be looked up; this line is not loaded", error);
    }

    [LinuxFact]
    public void UserExists_ReadsTheUserDatabase()
    {
        Assert.True(UserSwitchHost.UserExists("root"));
        Assert.True(UserSwitchHost.UserExists(Environment.UserName));
        Assert.False(UserSwitchHost.UserExists("chronoflow-no-such-user"));
        Assert.Null(UserSwitchHost.UserExists("bad\0name"));
    }
}
