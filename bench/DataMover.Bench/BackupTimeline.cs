using System.Collections.Concurrent;
using System.Diagnostics;
using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Bench;

/// <summary>
/// Watches the DataMovers of one namespace (and, when asked, the operator's clone PVCs and mover pods there) and
/// records when each step of each backup was seen.
/// </summary>
internal sealed class BackupTimeline : IAsyncDisposable
{
    private const string DataMoverLabel = "datamover.a-cup-of.coffee/datamover";

    private readonly ConcurrentDictionary<string, BackupRecord> _records = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _watches = [];
    private int _finishedCount;

    public IReadOnlyCollection<BackupRecord> Records => [.. _records.Values];

    public int FinishedCount => Volatile.Read(ref _finishedCount);

    /// <summary>Returns once every watch is established, so nothing created afterwards is missed.</summary>
    public static async Task<BackupTimeline> StartAsync(KubeClient client, string ns, WatchScope scope, CancellationToken ct)
    {
        var timeline = new BackupTimeline();
        var established = new List<Task>();
        established.Add(timeline.Watch(client.Resource(BenchResources.DataMovers), ns, timeline.OnDataMover));
        if (scope == WatchScope.DataMoversAndParts)
        {
            established.Add(timeline.Watch(client.Resource(KubeResources.PersistentVolumeClaims), ns, timeline.OnClone));
            established.Add(timeline.Watch(client.Resource(KubeResources.Pods), ns, timeline.OnPod));
            established.Add(timeline.Watch(client.Resource(KubeResources.Jobs), ns, timeline.OnJob));
        }

        await Task.WhenAll(established).WaitAsync(TimeSpan.FromSeconds(30), ct);
        return timeline;
    }

    public BackupRecord Record(string name) => _records.GetOrAdd(name, n => new BackupRecord(n));

    public async Task WaitAllFinishedAsync(int count, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (FinishedCount < count && deadline.Elapsed < timeout)
        {
            await Task.Delay(50, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_watches);
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }

        _stop.Dispose();
    }

    private Task Watch<T>(ResourceClient<T> resource, string ns, Action<WatchEvent<T>, long> onEvent) where T : KubeObject
    {
        var established = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _watches.Add(Task.Run(async () =>
        {
            string? version = null;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var options = new WatchOptions { ResourceVersion = version, OnEstablished = () => established.TrySetResult() };
                    await foreach (var e in resource.WatchAsync(ns, options, _stop.Token))
                    {
                        var at = Stopwatch.GetTimestamp();
                        version = e.Object.Metadata.ResourceVersion ?? version;
                        if (e.Type != WatchEventType.Bookmark)
                        {
                            onEvent(e, at);
                        }
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (WatchExpiredException)
                {
                    // Resumes from now; the objects themselves are still there for the final count.
                    version = null;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or KubeApiException)
                {
                    established.TrySetException(e);
                    await Task.Delay(200, _stop.Token);
                }
            }
        }));
        return established.Task;
    }

    private void OnDataMover(WatchEvent<BenchDataMover> e, long at)
    {
        var record = Record(e.Object.Metadata.Name!);
        lock (record)
        {
            if (record.Created == 0)
            {
                record.Created = at;
            }

            if (e.Object.Status?.Phase is "Completed" or "Failed" && record.Finished == 0)
            {
                var message = e.Object.Status.Conditions?.LastOrDefault(c => c.Message is not null) is { } c ? $"{c.Reason}: {c.Message}" : null;
                record.MarkFinished(e.Object.Status.Phase, message, at);
                Interlocked.Increment(ref _finishedCount);
            }
        }
    }

    private void OnClone(WatchEvent<PersistentVolumeClaim> e, long at)
    {
        if (e.Object.Metadata.Label(DataMoverLabel) is not { } owner)
        {
            return;
        }

        var record = Record(owner);
        lock (record)
        {
            if (record.CloneCreated == 0)
            {
                record.CloneCreated = at;
            }

            if (e.Object.Status?.Phase == "Bound" && record.CloneBound == 0)
            {
                record.CloneBound = at;
            }
        }
    }

    private void OnJob(WatchEvent<Job> e, long at)
    {
        if (e.Object.Metadata.Label(DataMoverLabel) is not { } owner)
        {
            return;
        }

        var record = Record(owner);
        lock (record)
        {
            if (record.JobCreated == 0)
            {
                record.JobCreated = at;
            }

            if (record.JobComplete == 0 && e.Object.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed" && c.Status == "True") == true)
            {
                record.JobComplete = at;
            }
        }
    }

    private void OnPod(WatchEvent<Pod> e, long at)
    {
        if (e.Object.Metadata.Label(DataMoverLabel) is not { } owner)
        {
            return;
        }

        var record = Record(owner);
        lock (record)
        {
            // The first pod of the Job; a retried pod would only add to the pod's time.
            if (record.PodName is not null && record.PodName != e.Object.Metadata.Name)
            {
                return;
            }

            record.PodName ??= e.Object.Metadata.Name;
            if (record.PodCreated == 0)
            {
                record.PodCreated = at;
            }

            var phase = e.Object.Status?.Phase;
            if (phase == "Running" && record.PodRunning == 0)
            {
                record.PodRunning = at;
            }

            if (phase is "Succeeded" or "Failed" && record.PodFinished == 0)
            {
                record.PodFinished = at;
            }
        }
    }
}
