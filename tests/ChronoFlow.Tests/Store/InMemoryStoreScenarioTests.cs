using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Store;

/// <summary>The store scenarios on <see cref="InMemoryJobStore"/>: one instance stands for the durable state every "process" sees.</summary>
public sealed class InMemoryStoreScenarioTests : StoreScenarios
{
    private readonly InMemoryJobStore _store = new();

    protected override IJobStore CreateStore() => _store;
}
