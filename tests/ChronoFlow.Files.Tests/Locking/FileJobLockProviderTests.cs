using System.Diagnostics;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

public sealed class FileJobLockProviderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chronoflow-locks-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task TryAcquireAsync_HeldByAnotherProvider_ReturnsNullUntilReleased()
    {
        var a = new FileJobLockProvider(_dir);
        var b = new FileJobLockProvider(_dir);

        var lease = await a.TryAcquireAsync("report", default);
        Assert.NotNull(lease);
        Assert.Null(await b.TryAcquireAsync("report", default));
        var other = await b.TryAcquireAsync("other-key", default);
        Assert.NotNull(other);

        await lease.DisposeAsync();
        var again = await b.TryAcquireAsync("report", default);
        Assert.NotNull(again);
        await again.DisposeAsync();
        await other.DisposeAsync();
        Assert.True(File.Exists(a.GetLockFilePath("report")));
    }

    [Fact]
    public void GetLockFilePath_UnsafeKey_StaysInTheDirectoryAndDoesNotCollide()
    {
        var p = new FileJobLockProvider(_dir);

        var traversal = p.GetLockFilePath("../../etc/passwd");
        Assert.Equal(p.Directory, Path.GetDirectoryName(traversal));
        Assert.NotEqual(p.GetLockFilePath("a/b"), p.GetLockFilePath("a_b"));
        Assert.Equal(Path.Combine(p.Directory, "daily-report.lock"), p.GetLockFilePath("daily-report"));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task TryAcquireAsync_AcrossProcesses_ExcludesAndIsReleasedWhenTheHolderDies()
    {
        using var holder = StartProbe("hold");
        Assert.Equal("ACQUIRED", await ReadLineAsync(holder));

        var provider = new FileJobLockProvider(_dir);
        Assert.Null(await provider.TryAcquireAsync("shared", default));
        using (var second = StartProbe("try"))
        {
            Assert.Equal("BUSY", await ReadLineAsync(second));
            await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(1, second.ExitCode);
        }

        holder.Kill(entireProcessTree: true);
        await holder.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var lease = await provider.TryAcquireAsync("shared", default);
        Assert.NotNull(lease);
        using (var third = StartProbe("try"))
        {
            Assert.Equal("BUSY", await ReadLineAsync(third));
        }

        await lease.DisposeAsync();
    }

    private Process StartProbe(string mode)
    {
        // The probe is built next to this test project: tests/ChronoFlow.LockProbe/bin/<config>/<tfm>/.
        var baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var tfm = Path.GetFileName(baseDir);
        var config = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        var testsDir = Path.GetFullPath(Path.Combine(baseDir, "..", "..", "..", ".."));
        var dll = Path.Combine(testsDir, "ChronoFlow.LockProbe", "bin", config, tfm, "ChronoFlow.LockProbe.dll");
        Assert.True(File.Exists(dll), "probe not built: " + dll);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(_dir);
        info.ArgumentList.Add("shared");
        info.ArgumentList.Add(mode);
        return Process.Start(info)!;
    }

    private static async Task<string?> ReadLineAsync(Process p)
        => await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
}
