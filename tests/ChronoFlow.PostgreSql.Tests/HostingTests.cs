using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChronoFlow.PostgreSql.Tests;

[Trait("Category", "Integration")]
public sealed class HostingTests
{
    [Fact]
    public async Task UsePostgreSql_RegistersOneStoreAndSetsItAsTheSchedulersStore()
    {
        var services = new ServiceCollection();
        services.AddChronoFlow().UsePostgreSql(o =>
        {
            o.ConnectionString = "Host=db.example;Database=jobs;Username=app";
            o.Schema = "scheduler";
        });

        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<PostgreSqlJobStore>();
        Assert.Same(store, provider.GetRequiredService<IJobStore>());
        Assert.Same(store, provider.GetRequiredService<IOptions<SchedulerOptions>>().Value.Store);
        Assert.Equal("scheduler", store.Schema);
        Assert.Contains("db.example:5432/jobs", store.StoreName, StringComparison.Ordinal);
    }

    [Fact]
    public void UsePostgreSql_WithoutAConnectionString_ThrowsAtRegistration()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddChronoFlow().UsePostgreSql(o => o.HistoryMaxAge = TimeSpan.FromDays(1)));

        Assert.Contains("PostgreSqlJobStoreOptions.ConnectionString", ex.Message, StringComparison.Ordinal);
    }
}
