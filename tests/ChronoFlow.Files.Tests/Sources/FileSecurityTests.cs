using System.Diagnostics;
using ChronoFlow.Files;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

public class FileSecurityTests
{
    internal static void Chown(string path, int uid)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path]))!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Check_OwnFileNotWritableByOthers_IsAccepted()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("ok.json", "{}");

        Assert.Null(FileSecurity.Check(path));
    }

    internal static void Chgrp(string path, string group)
    {
        using var chgrp = Process.Start(new ProcessStartInfo("chgrp", [group, path]))!;
        chgrp.WaitForExit();
        Assert.Equal(0, chgrp.ExitCode);
    }

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Check_GroupWritableBySharedGroup_IsRefused()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("g.json", "{}");
        if (Environment.UserName != "root")
        {
            return; // only root can give a file to a group it is not in
        }

        // nogroup (65534) is not root's private group: anyone in it could write the file.
        Chgrp(path, "65534");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);

        var error = FileSecurity.Check(path);

        Assert.NotNull(error);
        Assert.StartsWith("BAD FILE MODE: writable by its group", error, StringComparison.Ordinal);
        Assert.EndsWith($"(mode 0660), which is not the owner's private group; not loaded. Fix with: chmod g-w '{path}'", error, StringComparison.Ordinal);
    }

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Check_GroupWritableByOwnersPrivateGroup_IsAccepted()
    {
        // Issue 9: a clone made with umask 002 (the default under user private groups) has mode 0664 files whose
        // group is the owner's own; nobody else can write them, so they load as 0644 files do.
        using var dir = new TempDirectory();
        var path = dir.Write("umask002.json", "{}");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("664", 8));
        var uid = NativeMethods.geteuid();
        var gid = Environment.UserName == "root" ? 0u : uint.MaxValue;
        if (gid == uint.MaxValue || !FileSecurity.IsPrivateGroup(uid, gid))
        {
            return; // only root's group root is known to be private on every test machine
        }

        Assert.Null(FileSecurity.Check(path));
    }

    [LinuxFact]
    public void IsPrivateGroup_GroupOfAnotherName_IsNot()
    {
        Assert.False(FileSecurity.IsPrivateGroup(0, 65534));
        Assert.False(FileSecurity.IsPrivateGroup(uint.MaxValue - 7, 0));
    }

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Check_WorldWritable_IsRefused()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("o.json", "{}");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("666", 8));

        Assert.StartsWith("BAD FILE MODE: writable by others (mode 0666)", FileSecurity.Check(path), StringComparison.Ordinal);
    }

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Check_OwnedByAnotherUser_IsRefusedWhenWeAreRoot()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("other.json", "{}");
        if (Environment.UserName != "root")
        {
            // Only root can give a file away; as another user, the file owned by root must still pass.
            Assert.Null(FileSecurity.Check("/etc/hostname"));
            return;
        }

        Chown(path, 65534);

        Assert.Equal("WRONG FILE OWNER: owned by uid 65534, but only uid 0 (the service's user) or root may own it; not loaded", FileSecurity.Check(path));
    }
}
