using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

using ChronoFlow.Testing;

namespace ChronoFlow.IntegrationTests;

/// <summary>
/// Runs eng/packed-build-test.sh: packs the four libraries and builds and runs a fresh console app on the packages,
/// so that the README's test command covers what users get from NuGet, not only what project references give.
/// </summary>
[Collection(nameof(PackedBuildCollection))]
[Trait("Category", "Integration")]
public sealed class PackedBuildTests
{
    // It usually takes under a minute; the guard leaves room for a cold machine busy with other builds.
    private static readonly TimeSpan s_guard = TimeSpan.FromMinutes(6);

    [LinuxFact]
    public async Task PackedBuildScript_FreshAppOnThePackages_PassesAndShipsReadmeAndDocs()
    {
        using var temp = new TempDirectory();
        var packages = Directory.CreateDirectory(temp.File("packages")).FullName;
        var log = temp.File("packed-build-test.log");

        // Output to a file, not a pipe: build servers that the script's dotnet commands leave running must not hold it open.
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, WorkingDirectory = SampleProcess.RepositoryRoot };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec bash eng/packed-build-test.sh >\"$1\" 2>&1");
        info.ArgumentList.Add("packed-build-test");
        info.ArgumentList.Add(log);
        info.Environment["PACKED_BUILD_OUTPUT"] = packages;

        // Every process the script starts inherits this; none may be left once it has ended (MSBuild nodes kept for
        // reuse used to stay, and made a later run fail with MSB4166).
        var marker = "CHRONOFLOW_PACKED_BUILD_RUN=" + Guid.NewGuid().ToString("N");
        info.Environment["CHRONOFLOW_PACKED_BUILD_RUN"] = marker["CHRONOFLOW_PACKED_BUILD_RUN=".Length..];
        foreach (var name in info.Environment.Keys.Where(static k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            // The outer build's settings (dotnet test runs inside MSBuild) would steer the script's own builds.
            info.Environment.Remove(name);
        }

        using var process = Process.Start(info)!;
        try
        {
            await process.WaitForExitAsync().WaitAsync(s_guard);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the packed-build test took over {s_guard}; it wrote:\n{File.ReadAllText(log)}");
        }

        var output = File.ReadAllLines(log);
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}:\n{string.Join('\n', output)}");
        Assert.Matches(@"^packed-build-test: PASS \(0\.1\.0-ci\.\d+\.\d+: 4 packages", output[^1]);
        Assert.Contains(output, static l => l.StartsWith("jobs.d: ok", StringComparison.Ordinal));
        Assert.Empty(ProcessesWith(marker));

        // Checked here too, apart from the script, with .NET's own zip reader.
        foreach (var id in (string[])["ChronoFlow", "ChronoFlow.Hosting", "ChronoFlow.AspNetCore", "ChronoFlow.Files"])
        {
            var nupkg = Assert.Single(Directory.GetFiles(packages, $"{id}.0.1.0-ci.*.nupkg"));
            using var zip = ZipFile.OpenRead(nupkg);
            var entries = zip.Entries.Select(static e => e.FullName).ToHashSet(StringComparer.Ordinal);
            Assert.Contains("README.md", entries);
            foreach (var tfm in (string[])["net8.0", "net10.0"])
            {
                Assert.Contains($"lib/{tfm}/{id}.dll", entries);
                Assert.Contains($"lib/{tfm}/{id}.xml", entries);
            }

            var nuspec = ReadNuspec(zip, id);
            Assert.Equal("README.md", nuspec.Descendants().Single(static e => e.Name.LocalName == "readme").Value);
        }

        // The hosting package depends on the core package of the same build, so both always come together.
        using var hosting = ZipFile.OpenRead(Assert.Single(Directory.GetFiles(packages, "ChronoFlow.Hosting.0.1.0-ci.*.nupkg")));
        var version = ReadNuspec(hosting, "ChronoFlow.Hosting").Descendants().Single(static e => e.Name.LocalName == "version").Value;
        var core = ReadNuspec(hosting, "ChronoFlow.Hosting").Descendants()
            .Where(static e => e.Name.LocalName == "dependency" && (string?)e.Attribute("id") == "ChronoFlow")
            .Select(static e => (string?)e.Attribute("version"))
            .Distinct()
            .ToList();
        Assert.Equal([version], core);
    }

    /// <summary>The processes (pid and command line) whose environment holds <paramref name="entry"/>.</summary>
    private static List<string> ProcessesWith(string entry)
    {
        var found = new List<string>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(entry, StringComparer.Ordinal))
                {
                    found.Add($"{pid}: {File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ')}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or another user's: not one of ours.
            }
        }

        return found;
    }

    private static XDocument ReadNuspec(ZipArchive zip, string id)
    {
        using var stream = zip.GetEntry(id + ".nuspec")!.Open();
        return XDocument.Load(stream);
    }
}

/// <summary>The packed-build test runs alone: it builds with every core, which would slow the timed tests beside it.</summary>
[CollectionDefinition(nameof(PackedBuildCollection), DisableParallelization = true)]
public sealed class PackedBuildCollection;
