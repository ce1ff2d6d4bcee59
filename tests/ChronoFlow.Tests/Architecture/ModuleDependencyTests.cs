using System.Text.RegularExpressions;

namespace ChronoFlow.Tests.Architecture;

/// <summary>
/// The folders of src/ChronoFlow are modules in the order a run flows through them: a folder's code may use the types
/// of its own folder and of the folders before it, never of those after. ARCHITECTURE.md draws the same order.
/// </summary>
public sealed partial class ModuleDependencyTests
{
    /// <summary>The stages, first to last. A new folder must be placed here, or the test fails.</summary>
    public static readonly string[] Stages =
    [
        "Cron",        // the expression engine: parse, fields, calendar, zones
        "Calendar",    // systemd calendar events (OnCalendar=): parse, search
        "Schedules",   // Schedule: cron, interval, once, startup; the schedule-text reader
        "Jobs",        // what a job is: IJob, JobContext, JobOptions, the policy settings, outcomes
        "Timeline",    // next due times, earliest first
        "Policies",    // misfire and overlap decisions
        "Store",       // IJobStore: durable job state, claims, run history
        "Queueing",    // admitted runs waiting for a slot
        "Locking",     // leases across runs
        "Telemetry",   // logs, metrics, traces, events
        "Execution",   // the runner: timeout, retries, errors
        "Scheduling",  // JobScheduler: composes all of the above
    ];

    [Fact]
    public void EveryFolder_IsAKnownStage()
    {
        var folders = Directory.GetDirectories(SourceRoot()).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj" or "Properties")).Order().ToArray();
        Assert.Equal(Stages.Order(), folders);
    }

    [Fact]
    public void EveryFolder_UsesOnlyItsOwnAndEarlierStages()
    {
        var root = SourceRoot();
        var declaredIn = new Dictionary<string, int>(StringComparer.Ordinal);
        var code = new Dictionary<string, (int Stage, string Text)>();
        for (var stage = 0; stage < Stages.Length; stage++)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, Stages[stage]), "*.cs", SearchOption.AllDirectories))
            {
                var text = StripCommentsAndStrings(File.ReadAllText(file));
                code[Path.GetRelativePath(root, file)] = (stage, text);
                foreach (Match m in Declaration().Matches(text))
                {
                    declaredIn.TryAdd(m.Groups[1].Value, stage);
                }
            }
        }

        var violations = new List<string>();
        foreach (var (file, (stage, text)) in code)
        {
            foreach (Match m in Identifier().Matches(text))
            {
                if (declaredIn.TryGetValue(m.Value, out var owner) && owner > stage)
                {
                    violations.Add($"{file} ({Stages[stage]}) uses {m.Value} from the later stage {Stages[owner]}");
                }
            }
        }

        Assert.Empty(violations.Distinct());
    }

    [Fact]
    public void TheCheck_CatchesAUseOfALaterStage()
    {
        // The check itself: a Cron file naming JobScheduler is a violation, and comments do not count.
        var text = StripCommentsAndStrings("/// <see cref=\"Schedule\"/>\nvar x = \"JobScheduler\"; JobScheduler y;");
        Assert.Equal(["var", "x", "JobScheduler", "y"], Identifier().Matches(text).Select(m => m.Value));
    }

    private static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ChronoFlow.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("ChronoFlow.sln not found above the test's folder"), "src", "ChronoFlow");
    }

    private static string StripCommentsAndStrings(string text)
    {
        text = BlockComment().Replace(text, " ");
        text = LineComment().Replace(text, " ");
        text = StringLiteral().Replace(text, "\"\"");
        return CharLiteral().Replace(text, "' '");
    }

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record)\s+([A-Z]\w*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\b[A-Za-z_]\w*\b")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"@?\$?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"'(?:[^'\\\n]|\\.)'")]
    private static partial Regex CharLiteral();
}
