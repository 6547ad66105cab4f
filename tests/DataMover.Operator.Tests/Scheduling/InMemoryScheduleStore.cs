using System.Globalization;
using System.Text.Json;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Tests.Scheduling;

/// <summary>An API server and informer cache in memory, for reconciler tests. Status goes through JSON as on the wire.</summary>
internal sealed class InMemoryScheduleStore(TimeProvider time) : IScheduleStore
{
    public const string Namespace = "default";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, DataMoverSchedule> _schedules = [];
    private readonly Dictionary<string, Api.DataMover> _runs = [];
    private int _version;

    public int Creates { get; private set; }

    public List<string> Deleted { get; } = [];

    public int StatusWrites { get; private set; }

    /// <summary>When set, the cache answers with this (stale) object instead of the latest.</summary>
    public DataMoverSchedule? StaleSchedule { get; set; }

    public DataMoverSchedule AddSchedule(string name, DataMoverScheduleSpec spec)
    {
        lock (_gate)
        {
            var schedule = new DataMoverSchedule
            {
                ApiVersion = DataMoverResources.ApiVersion,
                Kind = "DataMoverSchedule",
                Metadata = new ObjectMeta
                {
                    Name = name,
                    Namespace = Namespace,
                    Uid = Guid.NewGuid().ToString(),
                    Generation = 1,
                    ResourceVersion = NextVersion(),
                    CreationTimestamp = Seconds(time.GetUtcNow()),
                },
                Spec = spec,
            };
            _schedules[schedule.Key()] = schedule;
            return schedule;
        }
    }

    public void UpdateSpec(string name, Func<DataMoverScheduleSpec, DataMoverScheduleSpec> change)
    {
        lock (_gate)
        {
            var s = _schedules[Key(name)];
            _schedules[Key(name)] = s with
            {
                Spec = change(s.Spec!),
                Metadata = s.Metadata with { Generation = s.Metadata.Generation + 1, ResourceVersion = NextVersion() },
            };
        }
    }

    public DataMoverSchedule Schedule(string name)
    {
        lock (_gate)
        {
            return _schedules[Key(name)];
        }
    }

    public IReadOnlyList<Api.DataMover> Runs
    {
        get
        {
            lock (_gate)
            {
                return _runs.Values.OrderBy(r => r.Metadata.Name, StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>Plays the DataMover controller: sets the phase of a run (Completed or Failed finish it).</summary>
    public void SetPhase(string runName, string phase)
    {
        lock (_gate)
        {
            var run = _runs[Key(runName)];
            _runs[Key(runName)] = run with
            {
                Status = new DataMoverStatus
                {
                    Phase = phase,
                    PhaseStartTime = Seconds(time.GetUtcNow()),
                    CompletionTime = phase is "Completed" or "Failed" ? Seconds(time.GetUtcNow()) : null,
                },
                Metadata = run.Metadata with { ResourceVersion = NextVersion() },
            };
        }
    }

    public void FinishAll(string phase = "Completed")
    {
        foreach (var run in Runs.Where(r => r.Status?.Phase is not ("Completed" or "Failed")))
        {
            SetPhase(run.Metadata.Name!, phase);
        }
    }

    public DataMoverSchedule? GetCachedSchedule(string key)
    {
        lock (_gate)
        {
            return StaleSchedule ?? _schedules.GetValueOrDefault(key);
        }
    }

    public Task<DataMoverSchedule?> GetScheduleAsync(string? ns, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_schedules.GetValueOrDefault(ObjectKey.Of(ns, name)));
        }
    }

    public IReadOnlyList<Api.DataMover> RunsOf(DataMoverSchedule schedule)
    {
        lock (_gate)
        {
            return _runs.Values.Where(r => r.Metadata.ControllerReference()?.Uid == schedule.Metadata.Uid).ToList();
        }
    }

    /// <summary>When set, creates fail with this exception.</summary>
    public Exception? CreateFailure { get; set; }

    public Task<Api.DataMover?> CreateRunAsync(Api.DataMover run, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (CreateFailure is not null)
            {
                throw CreateFailure;
            }

            if (_runs.ContainsKey(run.Key()))
            {
                return Task.FromResult<Api.DataMover?>(null);
            }

            Creates++;
            var created = run with
            {
                Metadata = run.Metadata with
                {
                    Uid = Guid.NewGuid().ToString(),
                    ResourceVersion = NextVersion(),
                    CreationTimestamp = Seconds(time.GetUtcNow()),
                    Generation = 1,
                },
            };
            _runs[run.Key()] = created;
            return Task.FromResult<Api.DataMover?>(created);
        }
    }

    public Task DeleteRunAsync(Api.DataMover run, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_runs.TryGetValue(run.Key(), out var existing) && existing.Metadata.Uid == run.Metadata.Uid)
            {
                _runs.Remove(run.Key());
                Deleted.Add(run.Metadata.Name!);
            }

            return Task.CompletedTask;
        }
    }

    public Task UpdateStatusAsync(DataMoverSchedule schedule, DataMoverScheduleStatus status, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var current = _schedules[schedule.Key()];
            if (current.Metadata.ResourceVersion != schedule.Metadata.ResourceVersion)
            {
                throw new InvalidOperationException("409 Conflict: the object has been modified");
            }

            StatusWrites++;
            var wire = JsonSerializer.Deserialize(JsonSerializer.Serialize(status, OperatorJsonContext.Default.DataMoverScheduleStatus), OperatorJsonContext.Default.DataMoverScheduleStatus);
            _schedules[schedule.Key()] = current with { Status = wire, Metadata = current.Metadata with { ResourceVersion = NextVersion() } };
            return Task.CompletedTask;
        }
    }

    private static string Key(string name) => ObjectKey.Of(Namespace, name);

    private static DateTimeOffset Seconds(DateTimeOffset t) => new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), t.Offset);

    private string NextVersion() => (++_version).ToString(CultureInfo.InvariantCulture);
}
