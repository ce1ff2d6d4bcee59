using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ChronoFlow.PostgreSql.Tests;

/// <summary>
/// A real PostgreSQL for the tests: the server that CHRONOFLOW_TEST_POSTGRES (a connection string) names, or else a
/// throwaway one started from the newest /usr/lib/postgresql/*/bin (as the postgres user when the tests run as root,
/// which PostgreSQL refuses), in a temporary directory, on a free loopback port, stopped and deleted at the end. When
/// no server can be had, every test fails with what was tried: they never skip.
/// </summary>
/// <remarks>
/// A test that must stop and start the database takes a private server of its own (<see cref="StartPrivateAsync"/>,
/// then <see cref="StopAsync"/> and <see cref="StartAsync"/>), whatever CHRONOFLOW_TEST_POSTGRES says. The integration
/// tests (tests/ChronoFlow.IntegrationTests/Cluster) compile this file too, linked.
/// </remarks>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "CHRONOFLOW_TEST_POSTGRES";
    private const string DirectoryPrefix = "chronoflow-pg-";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly List<string> _tried = [];
    private string? _directory;
    private string? _pgCtl;
    private string? _startOptions;
    private bool _asPostgresUser;
    private int _schemas;

    /// <summary>Gets the connection string of the server, to the database the tests use.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Gets whether the server is one that CHRONOFLOW_TEST_POSTGRES names, not one started here.</summary>
    public bool External { get; private set; }

    /// <summary>Gets how long it took to have the server ready.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Gets a schema name no other test uses.</summary>
    public string NewSchema() =>
        $"cf_test_{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}_{Interlocked.Increment(ref _schemas).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Starts a server of this process's own, even when CHRONOFLOW_TEST_POSTGRES names one: for a test that stops and
    /// starts the database. Dispose it (<see cref="DisposeAsync"/>) to stop it and delete its directory.
    /// </summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        var server = new PostgresServer();
        var started = Stopwatch.StartNew();
        try
        {
            await server.StartOwnAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        server.StartupTime = started.Elapsed;
        return server;
    }

    /// <summary>
    /// Stops a server started here as an administrator would (<c>pg_ctl stop -m fast</c>): sessions are ended, a
    /// checkpoint is written, and every connection is refused until <see cref="StartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        var data = DataDirectory();
        await RunAsync(_pgCtl!, ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"], _asPostgresUser);
    }

    /// <summary>Starts a server that <see cref="StopAsync"/> stopped, on the same port, and waits until it answers.</summary>
    public async Task StartAsync()
    {
        var data = DataDirectory();
        await RunAsync(_pgCtl!, ["-D", data, "-l", Path.Combine(_directory!, "server.log"), "-w", "-t", "60", "-o", _startOptions!, "start"], _asPostgresUser);

        // The pooled connections of this process died with the old server.
        NpgsqlConnection.ClearAllPools();
        await CheckAsync("the server was started again");
    }

    public async Task InitializeAsync()
    {
        var started = Stopwatch.StartNew();
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            External = true;
            ConnectionString = external;
            await CheckAsync($"{EnvironmentVariable} is set");
        }
        else
        {
            await StartOwnAsync();
        }

        StartupTime = started.Elapsed;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await StopOwnAsync();
    }

    /// <summary>Runs one statement on a connection of its own.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private async Task CheckAsync(string what)
    {
        try
        {
            Assert.Equal(1, await ScalarAsync("SELECT 1"));
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or ArgumentException)
        {
            throw new InvalidOperationException($"The PostgreSQL tests need a server: {what}, but connecting failed: {ex.Message}", ex);
        }
    }

    private async Task StartOwnAsync()
    {
        var bin = FindBin();
        _tried.Add($"found {bin}");
        RemoveStaleServers();
        _directory = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;

        // The owner of the server's directory is what the other tests' leftovers are checked against.
        await File.WriteAllTextAsync(Path.Combine(_directory, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        _asPostgresUser = Environment.IsPrivilegedProcess;
        if (_asPostgresUser)
        {
            // PostgreSQL refuses to run as root: the postgres user runs it and owns its directory.
            await RunAsync("chown", ["-R", "postgres:postgres", _directory], asPostgres: false);
        }

        var data = Path.Combine(_directory, "data");
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"], _asPostgresUser);
        var port = FreePort();
        _pgCtl = Path.Combine(bin, "pg_ctl");
        _startOptions = $"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=on";
        await RunAsync(_pgCtl, ["-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "-o", _startOptions, "start"], _asPostgresUser);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopOwnAsync().GetAwaiter().GetResult();
        await RunAsync(Path.Combine(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "30"], asPostgres: false);
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Timeout=15";
        await CheckAsync($"a server was started from {bin} on port {port}");
    }

    private async Task StopOwnAsync()
    {
        var directory = Interlocked.Exchange(ref _directory, null);
        if (directory is null)
        {
            return;
        }

        var data = Path.Combine(directory, "data");
        if (_pgCtl is not null && File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                await RunAsync(_pgCtl, ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], _asPostgresUser);
            }
            catch (InvalidOperationException)
            {
                KillPostmaster(data);
            }
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string DataDirectory() =>
        _directory is { } directory && _pgCtl is not null
            ? Path.Combine(directory, "data")
            : throw new InvalidOperationException("Only a server started here (not one CHRONOFLOW_TEST_POSTGRES names) can be stopped and started.");

    private string FindBin()
    {
        const string Root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Select(d => (Dir: d, Version: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(c => File.Exists(Path.Combine(c.Dir, "bin", "initdb")) && File.Exists(Path.Combine(c.Dir, "bin", "pg_ctl")))
                .OrderByDescending(c => c.Version)
                .Select(c => Path.Combine(c.Dir, "bin"))
                .ToList()
            : [];
        return candidates.Count > 0
            ? candidates[0]
            : throw new InvalidOperationException(
                $"The PostgreSQL tests need a server: {EnvironmentVariable} is not set, and no {Root}/*/bin/initdb with pg_ctl beside it was found to start one. "
                + $"Install PostgreSQL (apt-get install postgresql) or set {EnvironmentVariable} to a connection string.");
    }

    private async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres)
        {
            foreach (var a in (string[])["-u", "postgres", "--", file])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        var line = $"{(asPostgres ? "runuser -u postgres -- " : "")}{file} {string.Join(' ', arguments)}";
        _tried.Add(line);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {line}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The PostgreSQL tests' server: '{line}' did not end within {CommandTimeout.TotalSeconds} s. Tried: {string.Join("; ", _tried)}");
        }

        if (process.ExitCode != 0)
        {
            var output = (await stdout.WaitAsync(TimeSpan.FromSeconds(5))) + (await stderr.WaitAsync(TimeSpan.FromSeconds(5)));
            var log = _directory is not null && File.Exists(Path.Combine(_directory, "server.log")) ? await File.ReadAllTextAsync(Path.Combine(_directory, "server.log")) : "";
            throw new InvalidOperationException(
                $"The PostgreSQL tests' server: '{line}' exited with {process.ExitCode}: {output.Trim()} {log.Trim()} Tried: {string.Join("; ", _tried)}. "
                + $"Set {EnvironmentVariable} to use a server of your own.");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the servers that test runs which died (killed before their clean-up) left behind, and deletes their directories.</summary>
    private static void RemoveStaleServers()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var ownerFile = Path.Combine(directory, "owner.pid");
            if (!File.Exists(ownerFile) || !int.TryParse(File.ReadAllText(ownerFile), out var owner) || IsAlive(owner))
            {
                continue;
            }

            KillPostmaster(Path.Combine(directory, "data"));
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void KillPostmaster(string data)
    {
        var pidFile = Path.Combine(data, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && IsAlive(pid))
        {
            try
            {
                using var postmaster = Process.GetProcessById(pid);
                if (postmaster.ProcessName is "postgres" or "postmaster")
                {
                    postmaster.Kill(entireProcessTree: true);
                    postmaster.WaitForExit(10_000);
                }
            }
            catch (ArgumentException)
            {
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
