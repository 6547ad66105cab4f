namespace DataMover.Bench;

/// <summary>
/// CPU and memory of one process from /proc at one instant. <see cref="ChildCpuSeconds"/> is the CPU of children it
/// has already reaped (the sandbox's pods: its mover processes).
/// </summary>
internal sealed record ProcessSample(double CpuSeconds, double ChildCpuSeconds, long RssBytes, long PeakRssBytes)
{
    private static readonly double TicksPerSecond = ReadClockTicks();

    public static ProcessSample Empty { get; } = new(0, 0, 0, 0);

    public static ProcessSample Of(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double Ticks(int field) => long.Parse(fields[field - 3], System.Globalization.CultureInfo.InvariantCulture) / TicksPerSecond;
            long rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kibibytes(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    hwm = Kibibytes(line);
                }
            }

            return new ProcessSample(Ticks(14) + Ticks(15), Ticks(16) + Ticks(17), rss, hwm);
        }
        catch (IOException)
        {
            // The process is gone.
            return Empty;
        }
    }

    public static ProcessSample operator -(ProcessSample after, ProcessSample before) =>
        new(after.CpuSeconds - before.CpuSeconds, after.ChildCpuSeconds - before.ChildCpuSeconds, after.RssBytes, after.PeakRssBytes);

    private static long Kibibytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    private static double ReadClockTicks()
    {
        try
        {
            using var getconf = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
            var text = getconf.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var ticks) && ticks > 0 ? ticks : 100;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // USER_HZ is 100 on every Linux architecture the operator targets.
            return 100;
        }
    }
}
