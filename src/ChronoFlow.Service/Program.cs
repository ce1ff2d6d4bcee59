using System.CommandLine;
using ChronoFlow.Service;

// chronoflow: the jobs-directory service. The command line is read by System.CommandLine (help, errors, completions);
// a command line it cannot read exits with 2, as usage errors do in most Unix tools.
var definition = new ServiceOptions.Definition();
var command = definition.CreateCommand(out var status, out var history, out var nodes, out var runDue, out var define, out var remove);
command.SetAction((parse, cancellationToken) =>
{
    var options = definition.Read(parse);
    return options.Check ? CheckCommand.RunAsync(options) : ServiceHost.RunAsync(options);
});
status.SetAction((parse, cancellationToken) => StoreCommands.StatusAsync(definition.Read(parse), cancellationToken));
history.SetAction((parse, cancellationToken) => StoreCommands.HistoryAsync(definition.Read(parse), cancellationToken));
nodes.SetAction((parse, cancellationToken) => StoreCommands.NodesAsync(definition.Read(parse), cancellationToken));
runDue.SetAction((parse, cancellationToken) => ServiceHost.RunDueAsync(definition.Read(parse)));
define.SetAction((parse, cancellationToken) => AdminCommands.DefineAsync(definition.Read(parse), Console.In, cancellationToken));
remove.SetAction((parse, cancellationToken) => AdminCommands.RemoveAsync(definition.Read(parse), cancellationToken));

var result = command.Parse(args);
if (result.Action is System.CommandLine.Invocation.ParseErrorAction parseError)
{
    // The error and a typo correction, not the whole help text.
    parseError.ShowHelp = false;
}

// The host handles SIGINT and SIGTERM itself (graceful stop); System.CommandLine must not race it to exit.
var exitCode = await result.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
return result.Errors.Count > 0 ? 2 : exitCode;
