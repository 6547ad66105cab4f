using System.Diagnostics;

namespace DataMover.Bench;

/// <summary>
/// When the bench saw each step of one backup in its watch streams (Stopwatch timestamps; 0 = not seen). The
/// objects' own timestamps have only second precision, so the bench keeps its own.
/// </summary>
internal sealed class BackupRecord(string name)
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; } = name;

    public long Created { get; set; }

    public long Finished { get; set; }

    public string? Phase { get; set; }

    public string? FailureMessage { get; set; }

    public long CloneCreated { get; set; }

    public long CloneBound { get; set; }

    public long JobCreated { get; set; }

    public long JobComplete { get; set; }

    public string? PodName { get; set; }

    public long PodCreated { get; set; }

    public long PodRunning { get; set; }

    public long PodFinished { get; set; }

    public bool Completed => Phase == "Completed";

    public Task FinishedTask => _finished.Task;

    public TimeSpan Wall => Span(Created, Finished);

    public TimeSpan CloneTime => Span(CloneCreated, CloneBound);

    /// <summary>Pod created to pod Succeeded: the part of a backup the mover and the node own.</summary>
    public TimeSpan PodTime => Span(PodCreated, PodFinished);

    /// <summary>The job controller's share of the overhead (sandbox): Job created to pod created, pod done to Job complete.</summary>
    public TimeSpan JobControllerTime => Span(JobCreated, PodCreated) + Span(PodFinished, JobComplete);

    /// <summary>What is left of the backup's wall time once the clone's binding and the mover pod are taken out.</summary>
    public TimeSpan Overhead => Wall - CloneTime - PodTime;

    public void MarkFinished(string phase, string? message, long at)
    {
        if (Finished != 0)
        {
            return;
        }

        Phase = phase;
        FailureMessage = message;
        Finished = at;
        _finished.TrySetResult();
    }

    public static TimeSpan Span(long from, long to) => from == 0 || to == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(from, to);
}
