using DataMover.Operator.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Operator.Controllers;

/// <summary>How the host runs the <see cref="ScheduleController"/>.</summary>
internal sealed record ScheduleControllerOptions
{
    /// <summary>Namespace to watch; null for all namespaces.</summary>
    public string? Namespace { get; init; }

    /// <summary>The clock for schedules and wake-up timers; tests pass a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Where events go; null logs them only.</summary>
    public IEventSink? Events { get; init; }

    /// <summary>Concurrent reconciles (of different schedules; one key is never reconciled twice at once).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>The check a schedule's mover settings pass before any run is created; null leaves it to each run's DataMover.</summary>
    public Security.MoverAdmission? Admission { get; init; }

    /// <summary>The per-schedule gauges; null keeps none.</summary>
    public Metrics.ScheduleMetrics? Metrics { get; init; }

    /// <summary>What prunes of spec.retention read and need (shared informers, the mover image); null prunes nothing.</summary>
    public Retention.SchedulePrunerContext? Retention { get; init; }

    /// <summary>controller-runtime's controller and workqueue metrics for the loop; null measures nothing.</summary>
    public Kube.Runtime.IControllerMetrics? LoopMetrics { get; init; }
}
