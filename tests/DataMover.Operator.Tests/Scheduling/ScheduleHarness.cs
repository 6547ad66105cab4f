using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Scheduling;

/// <summary>
/// A ScheduleController against the sandbox API over real HTTP, in its own namespace, on a fake clock.
/// The DataMover controller is not part of these tests: the test plays it by patching run status.
/// </summary>
internal sealed class ScheduleHarness : IAsyncDisposable
{
    private readonly KubeClient _client;
    private readonly KubeClient _operatorClient;
    private ScheduleController? _controller;
    private CancellationTokenSource? _stop;
    private Task _running = Task.CompletedTask;

    private ScheduleHarness(KubeClient client, KubeClient operatorClient, string ns)
    {
        _client = client;
        _operatorClient = operatorClient;
        Namespace = ns;
    }

    public string Namespace { get; }

    public FakeTimeProvider Time { get; private set; } = null!;

    public RecordingEvents Events { get; } = new();

    public ResourceClient<DataMoverSchedule> Schedules => _client.Resource(DataMoverResources.Schedules);

    public ResourceClient<Api.DataMover> Runs => _client.Resource(DataMoverResources.DataMovers);

    /// <summary>Creates the schedule, starts the fake clock just after its creation time and starts the controller.</summary>
    public static async Task<ScheduleHarness> StartAsync(SandboxFixture sandbox, DataMoverScheduleSpec spec, string name = "backup")
    {
        var harness = new ScheduleHarness(sandbox.Client, sandbox.OperatorClient, await sandbox.NewNamespaceAsync());
        var created = await harness.Schedules.CreateAsync(new DataMoverSchedule
        {
            Metadata = new ObjectMeta { Name = name, Namespace = harness.Namespace },
            Spec = spec,
        });
        // Inside the creation second (timestamps are truncated to seconds): a whole second later would land exactly
        // on the next minute for a schedule created at :59, and that run would start before the test advances time.
        harness.Time = new FakeTimeProvider(created.Metadata.CreationTimestamp!.Value.AddMilliseconds(500));
        harness.StartController();
        return harness;
    }

    public void StartController()
    {
        _stop = new CancellationTokenSource();
        _controller = new ScheduleController(_operatorClient, new ScheduleControllerOptions
        {
            Namespace = Namespace,
            Time = Time,
            Events = Events,
        });
        _running = _controller.RunAsync(_stop.Token);
    }

    public async Task StopControllerAsync()
    {
        if (_stop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _running;
        _controller!.Dispose();
        _stop.Dispose();
        _stop = null;
    }

    public async Task<DataMoverSchedule> ScheduleAsync(string name = "backup") => await Schedules.GetAsync(Namespace, name);

    public async Task<IReadOnlyList<Api.DataMover>> RunListAsync() =>
        (await Runs.ListAsync(Namespace)).Items.Where(r => r.Metadata.DeletionTimestamp is null).OrderBy(r => r.Metadata.Name, StringComparer.Ordinal).ToList();

    public async Task<IReadOnlyList<string>> RunNamesAsync() => (await RunListAsync()).Select(r => r.Metadata.Name!).ToList();

    /// <summary>Plays the DataMover controller: marks a run Completed or Failed.</summary>
    public Task FinishAsync(string run, string phase = "Completed") =>
        Runs.PatchStatusAsync(Namespace, run, KubePatch.Merge(
            $$$"""{"status":{"phase":"{{{phase}}}","completionTime":"{{{Kube.Json.Rfc3339Converter.Format(Time.GetUtcNow())}}}"}}"""));

    public async Task FinishAllAsync(string phase = "Completed")
    {
        foreach (var run in await RunListAsync())
        {
            if (run.Status?.Phase is not ("Completed" or "Failed"))
            {
                await FinishAsync(run.Metadata.Name!, phase);
            }
        }
    }

    /// <summary>Waits until the schedule's status satisfies <paramref name="condition"/> (the controller works asynchronously).</summary>
    public async Task<DataMoverSchedule> WaitForAsync(Func<DataMoverSchedule, bool> condition, string what, string name = "backup")
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var schedule = await ScheduleAsync(name);
            if (condition(schedule))
            {
                return schedule;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; status: {System.Text.Json.JsonSerializer.Serialize(schedule.Status, OperatorJsonContext.Default.DataMoverScheduleStatus)}");
            await Task.Delay(25);
        }
    }

    public async Task WaitForRunsAsync(Func<IReadOnlyList<Api.DataMover>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition(await RunListAsync()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; runs: {string.Join(", ", await RunNamesAsync())}");
            await Task.Delay(25);
        }
    }

    /// <summary>Waits for the controller to publish its next time, then moves the fake clock there.</summary>
    public async Task<DateTimeOffset> AdvanceToNextAsync()
    {
        var next = (await WaitForAsync(s => s.Status?.NextScheduleTime is not null, "a next schedule time")).Status!.NextScheduleTime!.Value;
        Time.SetUtcNow(next);
        return next;
    }

    public async ValueTask DisposeAsync() => await StopControllerAsync();
}
