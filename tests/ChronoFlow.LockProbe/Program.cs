// Usage: ChronoFlow.LockProbe <directory> <key> <hold|try>
// Prints ACQUIRED or BUSY. With "hold" it keeps the lease until stdin closes or the process is killed.
using ChronoFlow;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: ChronoFlow.LockProbe <directory> <key> <hold|try>");
    return 2;
}

var provider = new FileJobLockProvider(args[0]);
var lease = await provider.TryAcquireAsync(args[1], CancellationToken.None);
Console.WriteLine(lease is null ? "BUSY" : "ACQUIRED");
Console.Out.Flush();
if (lease is not null && args[2] == "hold")
{
    // Holds until the test closes stdin or kills the process.
    await Console.In.ReadToEndAsync();
}

if (lease is not null)
{
    await lease.DisposeAsync();
}

return lease is null ? 1 : 0;
