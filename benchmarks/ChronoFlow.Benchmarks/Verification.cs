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

        foreach (var group in Agreement.Log.GroupBy(e => e.Case))
        {
            Console.WriteLine(group.Key);
            foreach (var (_, library, answer) in group)
            {
                Console.WriteLine($"    {library,-36} {answer}");
            }
        }

        // Each setup throws at the first disagreement, so reaching this line means there was none.
        Console.WriteLine("All libraries agree on every case.");
        return 0;
    }
}
