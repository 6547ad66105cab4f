using System.Diagnostics;
using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Runtime;
using DataMover.Kube.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Kube.Tests;

/// <summary>Electors against a scripted in-memory Lease endpoint on Kestrel, in real (short) time.</summary>
public sealed class LeaderElectorTests
{
    private const string Collection = "/apis/coordination.k8s.io/v1/namespaces/ns/leases";

    [Fact]
    public async Task Only_one_leads_and_a_release_hands_over_at_once()
    {
        var leases = new InMemoryObjectServer(Collection);
        await using var server = await ScriptedServer.StartAsync(leases.Map);
        using var client = Client(server);
        // B's wall clock is an hour ahead: were expiry judged from renewTime, B would take over a live lease.
        var counter = new LeadingCounter();
        var a = new Candidate(client, "a", TimeProvider.System, counter);
        var b = new Candidate(client, "b", new AdjustableTimeProvider { WallClockOffset = TimeSpan.FromHours(1) }, counter);
        var runA = a.Start();
        await a.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var runB = b.Start();

        await Task.Delay(TimeSpan.FromSeconds(5)); // longer than LeaseDuration
        Assert.False(b.Started.Task.IsCompleted);
        Assert.Equal("a", Holder(leases));

        var handover = Stopwatch.StartNew();
        await a.Stop.CancelAsync();
        await runA.WaitAsync(TimeSpan.FromSeconds(10));
        await b.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(handover.Elapsed < TimeSpan.FromSeconds(2), $"takeover took {handover.Elapsed}, not much less than the 3s lease");
        Assert.Equal(1, counter.MostAtOnce);
        var spec = leases.Get("lock")!["spec"]!;
        Assert.Equal("b", spec["holderIdentity"]!.GetValue<string>());
        Assert.Equal(1, spec["leaseTransitions"]!.GetValue<int>());
        Assert.Equal(3, spec["leaseDurationSeconds"]!.GetValue<int>());
        await b.Stop.CancelAsync();
        await runB.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_stale_holder_is_taken_over_only_after_the_local_monotonic_expiry()
    {
        var leases = new InMemoryObjectServer(Collection);
        var longAgo = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        leases.Seed("lock", new JsonObject
        {
            ["apiVersion"] = "coordination.k8s.io/v1",
            ["kind"] = "Lease",
            ["metadata"] = new JsonObject { ["name"] = "lock", ["namespace"] = "ns" },
            ["spec"] = new JsonObject
            {
                ["holderIdentity"] = "crashed-pod",
                ["leaseDurationSeconds"] = 3,
                ["acquireTime"] = longAgo,
                ["renewTime"] = longAgo,
                ["leaseTransitions"] = 7,
            },
        });
        await using var server = await ScriptedServer.StartAsync(leases.Map);
        using var client = Client(server);
        var c = new Candidate(client, "c", TimeProvider.System);

        var waited = Stopwatch.StartNew();
        var run = c.Start();
        await c.Started.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // renewTime says "expired an hour ago", but this process has only just seen the record: it waits the full lease.
        Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(2.9), $"took over after {waited.Elapsed}");
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"took over only after {waited.Elapsed}: {string.Join(", ", leases.Requests)}");
        var spec = leases.Get("lock")!["spec"]!;
        Assert.Equal("c", spec["holderIdentity"]!.GetValue<string>());
        Assert.Equal(8, spec["leaseTransitions"]!.GetValue<int>());
        await c.Stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Failing_to_renew_within_the_deadline_cancels_the_work_and_throws()
    {
        var leases = new InMemoryObjectServer(Collection);
        await using var server = await ScriptedServer.StartAsync(leases.Map);
        using var client = Client(server);
        var a = new Candidate(client, "a", TimeProvider.System);
        var run = a.Start();
        await a.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        leases.FailWrites = true;
        var lost = Stopwatch.StartNew();
        await Assert.ThrowsAsync<LeaderElectionLostException>(() => run.WaitAsync(TimeSpan.FromSeconds(15)));

        Assert.True(a.WorkCancelled.Task.IsCompleted);
        // RetryPeriod (the wait before the failing round) + RenewDeadline, with slack: well inside the 3s lease.
        Assert.True(lost.Elapsed < TimeSpan.FromSeconds(3), $"noticed the loss after {lost.Elapsed}");
    }

    [Fact]
    public async Task Shutdown_stops_the_work_then_releases_the_lease()
    {
        var leases = new InMemoryObjectServer(Collection);
        await using var server = await ScriptedServer.StartAsync(leases.Map);
        using var client = Client(server);
        var a = new Candidate(client, "a", TimeProvider.System);
        var run = a.Start();
        await a.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await a.Stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(a.WorkCancelled.Task.IsCompleted);
        var spec = leases.Get("lock")!["spec"]!.AsObject();
        Assert.Equal("", spec["holderIdentity"]?.GetValue<string>() ?? "");
        Assert.Equal(1, spec["leaseDurationSeconds"]!.GetValue<int>());
        Assert.Equal(0, spec["leaseTransitions"]!.GetValue<int>());
    }

    [Fact]
    public void Rejects_timings_client_go_rejects()
    {
        using var client = new KubeClient(new KubeClientSettings { Server = new Uri("http://127.0.0.1:1") });
        var options = new LeaderElectionOptions { LeaseName = "l", LeaseNamespace = "ns", Identity = "a", RenewDeadline = TimeSpan.FromSeconds(20) };
        Assert.Throws<ArgumentException>(() => new LeaderElector(client, options, TimeProvider.System, NullLogger<LeaderElector>.Instance));
    }

    private static KubeClient Client(ScriptedServer server) =>
        new(new KubeClientSettings { Server = server.BaseAddress, MaxAttempts = 1, RequestTimeout = TimeSpan.FromSeconds(5) });

    private static string? Holder(InMemoryObjectServer leases) => leases.Get("lock")?["spec"]?["holderIdentity"]?.GetValue<string>();

    /// <summary>One elector with a callback that records when it leads.</summary>
    private sealed class Candidate(KubeClient client, string identity, TimeProvider time, LeadingCounter? counter = null)
    {
        private readonly LeadingCounter _counter = counter ?? new LeadingCounter();

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource WorkCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenSource Stop { get; } = new();

        public Task Start()
        {
            var elector = new LeaderElector(
                client,
                new LeaderElectionOptions
                {
                    LeaseName = "lock",
                    LeaseNamespace = "ns",
                    Identity = identity,
                    LeaseDuration = TimeSpan.FromSeconds(3),
                    RenewDeadline = TimeSpan.FromSeconds(1.5),
                    RetryPeriod = TimeSpan.FromMilliseconds(200),
                },
                time,
                NullLogger<LeaderElector>.Instance);
            return elector.RunAsync(LeadAsync, Stop.Token);
        }

        private async Task LeadAsync(CancellationToken token)
        {
            _counter.Enter();
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                _counter.Leave();
                WorkCancelled.TrySetResult();
            }
        }
    }

    /// <summary>How many candidates of one test ran their leader work at the same time, at most.</summary>
    private sealed class LeadingCounter
    {
        private readonly Lock _gate = new();
        private int _now;

        public int MostAtOnce { get; private set; }

        public void Enter()
        {
            lock (_gate)
            {
                MostAtOnce = Math.Max(MostAtOnce, ++_now);
            }
        }

        public void Leave()
        {
            lock (_gate)
            {
                _now--;
            }
        }
    }
}
