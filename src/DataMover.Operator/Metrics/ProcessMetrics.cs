using Prometheus;

namespace DataMover.Operator.Metrics;

/// <summary>
/// The process families of Prometheus's process collector that prometheus-net's DotNetStats names differently
/// (it has process_working_set_bytes and process_open_handles), so dashboards written for Go operators still answer.
/// </summary>
internal sealed class ProcessMetrics
{
    private const string FileDescriptors = "/proc/self/fd";

    private readonly Gauge _resident;
    private readonly Gauge _openFds;

    public ProcessMetrics(IMetricFactory factory, CollectorRegistry registry)
    {
        _resident = factory.CreateGauge("process_resident_memory_bytes", "Resident memory size in bytes.");
        _openFds = factory.CreateGauge("process_open_fds", "Number of open file descriptors.");
        registry.AddBeforeCollectCallback(Read);
    }

    private void Read()
    {
        // On Linux the working set is the resident set size.
        _resident.Set(Environment.WorkingSet);
        if (Directory.Exists(FileDescriptors))
        {
            _openFds.Set(Directory.EnumerateFileSystemEntries(FileDescriptors).Count());
        }
    }
}
