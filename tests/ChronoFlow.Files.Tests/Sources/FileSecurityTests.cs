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

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Check_GroupWritable_IsRefused()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("g.json", "{}");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);

        Assert.Equal($"BAD FILE MODE: writable by its group (mode 0660); not loaded. Fix with: chmod go-w '{path}'", FileSecurity.Check(path));
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
