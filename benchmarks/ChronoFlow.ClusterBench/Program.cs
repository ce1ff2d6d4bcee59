using System.Globalization;
using System.Runtime.InteropServices;
using ChronoFlow.ClusterBench;

// The cluster throughput harness. benchmarks/cluster.sh starts a PostgreSQL, runs `run` against it and writes the page;
// `run` starts this same program again as node processes (`chronoflow-node`, `quartz-node`).
//
//   ChronoFlow.ClusterBench run --connection CS --output results.json [--scenarios a,b,...] [--warmup S] [--window S]
//                               [--saturating JOBS] [--moderate JOBS] [--quartz JOBS] [--threads N] [--pidfile PATH]
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: ChronoFlow.ClusterBench run|chronoflow-node|quartz-node --name value ...");
    return 2;
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

switch (args[0])
{
    case "chronoflow-node":
        return await ChronoFlowNode.RunAsync(NodeArgs.Parse(options));
    case "quartz-node":
        return await QuartzNode.RunAsync(NodeArgs.Parse(options));
    case "run":
        break;
    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        return 2;
}

int Int(string name, int value) => options.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : value;

// Every way out of this process kills the nodes it started: a normal end, an exception, SIGINT, SIGTERM, SIGHUP.
// (SIGKILL cannot be caught: then each node sees its standard input close and stops by itself, and cluster.sh kills
// what is in the pid file.)
NodeProcess.UsePidFile(options.GetValueOrDefault("pidfile"));
AppDomain.CurrentDomain.ProcessExit += (_, _) => NodeProcess.KillAll();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => NodeProcess.KillAll());
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => NodeProcess.KillAll());
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => NodeProcess.KillAll());
try
{
    var orchestrator = new Orchestrator(
        options["connection"],
        TimeSpan.FromSeconds(Int("warmup", 10)),
        TimeSpan.FromSeconds(Int("window", 20)),
        Int("threads", 64));
    var all = Orchestrator.Defaults(Int("saturating", 25000), Int("moderate", 1000), Int("quartz", 2000));
    var chosen = options.TryGetValue("scenarios", out var names)
        ? names.Split(',').Select(n => all.FirstOrDefault(s => s.Name == n) ?? throw new ArgumentException($"No scenario '{n}'.")).ToList()
        : all;
    await orchestrator.RunAsync(chosen, options.GetValueOrDefault("output", "cluster-results.json"));
    return orchestrator.Failed == 0 ? 0 : 1;
}
finally
{
    NodeProcess.KillAll();
}
