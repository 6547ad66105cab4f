namespace DataMover.Sandbox.Node;

/// <summary>
/// Turns a <see cref="ContainerLaunch"/> into bubblewrap arguments. The host's root is rebuilt read-only, entry by
/// entry, on bwrap's own tmpfs root, so that mount points which do not exist on the host (a PVC at /data or
/// /mnt/source) can be created without touching the host; then /dev, /proc, volumes and the termination log file
/// are mounted, and with readOnlyRootFilesystem the root is remounted read-only (so is /tmp, as in a container).
/// A writable root is approximated (bwrap 0.8 has no overlay): the root tmpfs stays writable for new top-level
/// paths and /tmp, HOME and /var/tmp get private tmpfs mounts; writes never reach the host.
/// A non-root user really runs as that host uid (setpriv before bwrap, identity-mapped user namespace), so file
/// permissions on volumes behave as on a node: a root-owned 0755 volume is not writable without fsGroup.
/// The process is pid 1 of its own pid namespace (<c>--as-pid-1</c>), like a container's entrypoint, so SIGTERM
/// without a handler is ignored exactly as in a container.
/// </summary>
internal static class BwrapCommandBuilder
{
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "proc", "dev", "tmp" };

    /// <summary>The full command line: program first (setpriv for non-root users, else bwrap).</summary>
    public static List<string> Command(ContainerLaunch launch, string bwrap = "bwrap")
    {
        var command = new List<string>();
        if (launch.Uid != 0)
        {
            command.AddRange([HostExecutable.Resolve("setpriv"), "--reuid=" + Str(launch.Uid), "--regid=" + Str(launch.Gid)]);
            command.Add(launch.Groups.Count == 0 ? "--clear-groups" : "--groups=" + string.Join(',', launch.Groups.Select(Str)));
            command.Add("--");
        }

        // The container's host pid is reported on fd 3, which ContainerProcess opens on a file.
        command.AddRange([HostExecutable.Resolve(bwrap), "--info-fd", "3"]);
        command.AddRange(Build(launch));
        return command;
    }

    public static List<string> Build(ContainerLaunch launch, string hostRoot = "/")
    {
        var args = new List<string>();

        // A mount below a directory the root only links to (/var/run -> /run on most distributions and images) is
        // made at the link's target, where the runtime can create it; the path through the link shows the same files.
        launch = launch with { Mounts = [.. launch.Mounts.Select(m => m with { ContainerPath = ThroughLinks(hostRoot, Normalize(m.ContainerPath)) })] };
        var targets = launch.Mounts.Select(m => Normalize(m.ContainerPath)).ToList();
        if (launch.TerminationLogHostPath is not null && !IsUnder(Normalize(launch.TerminationMessagePath), "/dev"))
        {
            targets.Add(Normalize(launch.TerminationMessagePath));
        }

        targets.Add(Normalize(launch.WorkingDir));
        if (!launch.ReadOnlyRootFilesystem)
        {
            targets.AddRange(launch.WritableDirs.Select(Normalize));
        }

        foreach (var entry in Children(hostRoot, "/"))
        {
            if (!Skipped.Contains(Path.GetFileName(entry.Container)))
            {
                BindEntry(args, entry.Host, entry.Container, targets);
            }
        }

        args.AddRange(["--dev", "/dev", "--proc", "/proc"]);
        if (!launch.ReadOnlyRootFilesystem)
        {
            args.AddRange(["--tmpfs", "/tmp"]);
            foreach (var dir in launch.WritableDirs.Select(Normalize).Where(d => d is not ("/" or "/tmp")).Distinct())
            {
                args.AddRange(["--tmpfs", dir]);
            }
        }
        else
        {
            args.AddRange(["--dir", "/tmp"]);
        }

        foreach (var mount in launch.Mounts.OrderBy(m => Normalize(m.ContainerPath).Length))
        {
            args.AddRange([mount.ReadOnly ? "--ro-bind" : "--bind", mount.HostPath, Normalize(mount.ContainerPath)]);
        }

        if (launch.TerminationLogHostPath is not null)
        {
            args.AddRange(["--bind", launch.TerminationLogHostPath, Normalize(launch.TerminationMessagePath)]);
        }

        if (Normalize(launch.WorkingDir) != "/")
        {
            // Container runtimes create a missing workingDir.
            args.AddRange(["--dir", Normalize(launch.WorkingDir)]);
        }

        if (launch.ReadOnlyRootFilesystem)
        {
            args.AddRange(["--remount-ro", "/"]);
        }

        args.AddRange(["--unshare-user", "--uid", Str(launch.Uid), "--gid", Str(launch.Gid)]);
        // No --die-with-parent: Linux ties the parent-death signal to the forking *thread*, and .NET forks from pool
        // threads that may retire while the container still runs. ContainerProcess.Kill kills the tree instead.
        args.AddRange(["--unshare-pid", "--as-pid-1", "--unshare-ipc", "--unshare-uts", "--new-session"]);
        if (launch.Hostname is not null)
        {
            args.AddRange(["--hostname", launch.Hostname]);
        }

        // The environment is not on this command line (where any local user could read Secret values from the
        // process list): ContainerProcess starts bwrap with exactly the container's environment instead.
        args.AddRange(["--chdir", Normalize(launch.WorkingDir), "--"]);
        args.AddRange(launch.Argv);
        return args;
    }

    private static void BindEntry(List<string> args, string host, string container, List<string> targets)
    {
        var info = new FileInfo(host);
        if (info.LinkTarget is { } link)
        {
            args.AddRange(["--symlink", link, container]);
            return;
        }

        var needsRebuild = Directory.Exists(host) && targets.Any(t => IsStrictlyUnder(t, container) && !PathExistsUnder(host, container, t));
        if (!needsRebuild)
        {
            args.AddRange(["--ro-bind-try", host, container]);
            return;
        }

        // A mount point must be created below this directory: recreate it on the tmpfs root and bind its children.
        args.AddRange(["--dir", container]);
        foreach (var child in Children(host, container))
        {
            BindEntry(args, child.Host, child.Container, targets);
        }
    }

    private static IEnumerable<(string Host, string Container)> Children(string hostDir, string containerDir)
    {
        IEnumerable<string> names;
        try
        {
            names = Directory.EnumerateFileSystemEntries(hostDir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var name in names)
        {
            yield return (Path.Combine(hostDir, name), containerDir == "/" ? "/" + name : containerDir + "/" + name);
        }
    }

    /// <summary>Whether every directory from <paramref name="container"/> down to <paramref name="target"/> exists on the host.</summary>
    private static bool PathExistsUnder(string host, string container, string target)
    {
        var rel = target[container.Length..].TrimStart('/');
        var path = Path.Combine(host, rel);
        return Directory.Exists(path) || File.Exists(path);
    }

    /// <summary>Replaces a leading directory that is a symlink on the (bound) root by its target, repeatedly.</summary>
    private static string ThroughLinks(string hostRoot, string path)
    {
        for (var depth = 0; depth < 8; depth++)
        {
            var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var changed = false;
            for (var i = 1; i < parts.Length; i++)
            {
                var prefix = "/" + string.Join('/', parts[..i]);
                if (new FileInfo(Path.Combine(hostRoot, prefix.TrimStart('/'))).LinkTarget is not { } link)
                {
                    continue;
                }

                var target = Path.GetFullPath(link.StartsWith('/') ? link : Path.Combine(Path.GetDirectoryName(prefix) ?? "/", link));
                path = Normalize(target + "/" + string.Join('/', parts[i..]));
                changed = true;
                break;
            }

            if (!changed)
            {
                break;
            }
        }

        return path;
    }

    private static bool IsStrictlyUnder(string path, string dir) =>
        path.Length > dir.Length && path.StartsWith(dir == "/" ? "/" : dir + "/", StringComparison.Ordinal);

    private static bool IsUnder(string path, string dir) => path == dir || IsStrictlyUnder(path, dir);

    internal static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
        return "/" + string.Join('/', parts);
    }

    private static string Str(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
