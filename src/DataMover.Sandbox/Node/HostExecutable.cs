namespace DataMover.Sandbox.Node;

/// <summary>
/// Resolves a host program to an absolute path once, so launching a container never depends on the PATH that
/// the container's own environment (which the launcher runs with) happens to define.
/// </summary>
internal static class HostExecutable
{
    private static readonly string[] SearchPath =
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries);

    public static string Resolve(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return name;
        }

        foreach (var dir in SearchPath.Concat(["/usr/sbin", "/usr/bin", "/sbin", "/bin"]))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return name;
    }
}
