using ChronoFlow.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChronoFlow.Sqlite.Tests;

public sealed class HostingTests
{
    [Fact]
    public async Task UseSqlite_RegistersOneStoreAndSetsItAsTheSchedulersStore()
    {
        using var dir = new TempDirectory();
        var services = new ServiceCollection();
        services.AddChronoFlow().UseSqlite(o =>
        {
            o.Path = dir.File("jobs.db");
            o.HistoryMaxRunsPerJob = 10;
        });

        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<SqliteJobStore>();
        Assert.Same(store, provider.GetRequiredService<IJobStore>());
        Assert.Same(store, provider.GetRequiredService<IOptions<SchedulerOptions>>().Value.Store);
        Assert.Equal(dir.File("jobs.db"), store.Path);
    }

    [Fact]
    public void UseSqlite_WithoutAPath_ThrowsAtRegistration()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddChronoFlow().UseSqlite(o => o.HistoryMaxAge = TimeSpan.FromDays(1)));

        Assert.Contains("SqliteJobStoreOptions.Path", ex.Message, StringComparison.Ordinal);
    }
}
