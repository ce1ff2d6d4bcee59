namespace ChronoFlow.Benchmarks;

/// <summary>Runs every <c>[GlobalSetup]</c> in process and prints what each library answered.</summary>
internal static class Verification
{
    public static int Run()
    {
        new ParseBenchmarks().Setup();
        new NextUtcBenchmarks().Setup();
        foreach (var zone in new[] { "America/New_York", "Europe/London" })
        {
            new NextZonedBenchmarks { Zone = zone }.Setup();
        }

        new ImpossibleBenchmarks().Setup();

        var notImplemented = 0;
        foreach (var group in Agreement.Log.GroupBy(e => e.Case))
        {
            Console.WriteLine(group.Key);
            foreach (var (_, library, answer) in group)
            {
                Console.WriteLine($"    {library,-36} {answer}");
                notImplemented += answer == "NOT IMPLEMENTED" ? 1 : 0;
            }
        }

        Console.WriteLine(notImplemented == 0
            ? "All libraries agree on every case."
            : $"The peers agree on every case; ChronoFlow was not checked in {notImplemented} places (engine not implemented).");
        return notImplemented == 0 ? 0 : 2;
    }
}
