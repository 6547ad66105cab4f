namespace DataMover.Sandbox.Node;

/// <summary>What the node reports as capacity; also what resourceFieldRef falls back to without limits.</summary>
internal sealed record NodeResources(int Cpu, long MemoryBytes, int Pods)
{
    public const string LoopbackIp = "127.0.0.1";

    public static NodeResources Detect()
    {
        long memory = 8L * 1024 * 1024 * 1024;
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb))
            {
                memory = kb * 1024;
            }
        }
        catch (IOException)
        {
            // Keep the default.
        }

        return new NodeResources(Environment.ProcessorCount, memory, 110);
    }
}
