namespace ChronoFlow.Service;

/// <summary>
/// <c>define</c> and <c>remove</c>: change the jobs of every service sharing a store without touching any of their jobs
/// directories. They write a <see cref="JobControl"/> to the store directly, as a scheduler's
/// <see cref="JobScheduler.Define(string, string)"/> and <see cref="JobScheduler.Remove(string)"/> would, so no service
/// needs to run for them; the running ones apply it at their next sync (within seconds; at once on PostgreSQL).
/// </summary>
internal static class AdminCommands
{
    /// <summary>The name <c>define</c> gives to standard input, for <c>FILE</c> <c>-</c>.</summary>
    private const string StandardInput = "-";

    /// <returns>0 when the definition is stored; 1 when it cannot be read, is invalid, or the store cannot be written.</returns>
    /// <remarks>
    /// The definition is checked with the built-in task types only: a task type that only some hosts add is allowed
    /// (those run it), with a warning, since a typo in a task type looks the same.
    /// </remarks>
    public static async Task<int> DefineAsync(ServiceOptions options, TextReader standardInput, CancellationToken cancellationToken)
    {
        var jobId = options.AdminJob!;
        var file = options.DefinitionFile!;
        var source = file == StandardInput ? "standard input" : file;
        string definition;
        try
        {
            definition = file == StandardInput
                ? await standardInput.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                : await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"Cannot read the definition of job '{jobId}' from {source}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        try
        {
            if (JobFileDefinitionBinder.Validate(jobId, definition) is { } reason)
            {
                await Console.Error.WriteLineAsync(
                    $"warning: {source}: {reason}; only services whose host adds that task type will run job '{jobId}'").ConfigureAwait(false);
            }
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync($"invalid: {source}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        return await WriteAsync(options, new JobControl(jobId, JobControlKind.Define, definition), cancellationToken).ConfigureAwait(false);
    }

    /// <returns>0 when the removal is stored; 1 when the store has no such job or cannot be written.</returns>
    public static Task<int> RemoveAsync(ServiceOptions options, CancellationToken cancellationToken)
        => WriteAsync(options, new JobControl(options.AdminJob!, JobControlKind.Remove), cancellationToken);

    /// <summary>Writes one control in a batch of its own, then says what the services will do with it.</summary>
    private static async Task<int> WriteAsync(ServiceOptions options, JobControl control, CancellationToken cancellationToken)
    {
        if (StoreCommands.Open(options, out var store, write: true) is { } error)
        {
            await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
            return 1;
        }

        await using ((IAsyncDisposable)store!)
        {
            var name = StoreCommands.Name(store!);
            try
            {
                var states = await store!.OpenAsync(options.Node, cancellationToken).ConfigureAwait(false);

                // A removal changes only a job that has a row in the store: of one without, nothing would be written,
                // and a mistyped id would look removed.
                if (control.Kind == JobControlKind.Remove && !states.Any(s => s.JobId == control.JobId))
                {
                    await Console.Error.WriteLineAsync(
                        $"No job '{control.JobId}' in {name}: nothing to remove (`chronoflow status` lists the jobs it has).").ConfigureAwait(false);
                    return 1;
                }

                // Controls carry no claim, so only the writer's names matter: the node as the other commands give it,
                // and an owner that says a command line wrote it.
                var batch = new StoreBatch
                {
                    Node = options.Node,
                    Owner = $"cli:{Environment.MachineName}:{Environment.ProcessId}",
                    Now = TimeProvider.System.GetUtcNow(),
                };
                batch.Add(control);
                await store.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            catch (JobStoreException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 1;
            }

            Console.WriteLine(control.Kind == JobControlKind.Define
                ? $"Job '{control.JobId}' is stored in {name}; running services pick it up at their next sync."
                : $"Job '{control.JobId}' is removed from {name}; running services stop scheduling it at their next sync (its state and history stay).");
            return 0;
        }
    }
}
