using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Json;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Node;

/// <summary>
/// The sandbox kubelet: watches pods bound to its node (field selector spec.nodeName, as the real one does), runs
/// their containers as bubblewrap processes, reports status and events shaped like the kubelet's, and on deletion
/// stops containers (SIGTERM, SIGKILL after the grace period) before confirming with gracePeriodSeconds=0.
/// </summary>
internal sealed partial class Kubelet : IReconciler, IConfigSource
{
    private readonly NodeAgentOptions _options;
    private readonly ImageTable _images;
    private readonly NodeResources _resources;
    private readonly Informer<Pod> _pods;
    private readonly Informer<Secret> _secrets;
    private readonly Informer<ConfigMap> _configMaps;
    private readonly Informer<PersistentVolumeClaim> _claims;
    private readonly Informer<PersistentVolume> _volumes;
    private readonly ResourceClient<Pod> _podClient;
    private readonly EventEmitter _events;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, PodRuntime> _runtimes = new();
    private readonly ProjectedVolumes _projected;

    public Kubelet(KubeClient client, InformerSet informers, NodeAgentOptions options, ImageTable images, NodeResources resources, ILoggerFactory loggers)
    {
        _options = options;
        _images = images;
        _resources = resources;
        _logger = loggers.CreateLogger<Kubelet>();
        _pods = informers.Get(KubeResources.Pods, new InformerOptions { FieldSelector = "spec.nodeName=" + options.NodeName });
        _secrets = informers.Get(KubeResources.Secrets);
        _configMaps = informers.Get(KubeResources.ConfigMaps);
        _claims = informers.Get(KubeResources.PersistentVolumeClaims);
        _volumes = informers.Get(KubeResources.PersistentVolumes);
        _podClient = client.Resource(KubeResources.Pods);
        _projected = new ProjectedVolumes(client);
        _events = new EventEmitter(client, "kubelet", options.NodeName, _logger);
        Loop = new ControllerLoop("kubelet", this, 4, _logger);

        _pods.AddHandler(new InformerHandler<Pod>(p => Loop.Enqueue(p.Key()), (_, p) => Loop.Enqueue(p.Key()), p => Loop.Enqueue(p.Key())));
        _secrets.AddHandler(InformerHandler<Secret>.Any(s => EnqueueWaiting(s.Metadata.Namespace)));
        _configMaps.AddHandler(InformerHandler<ConfigMap>.Any(c => EnqueueWaiting(c.Metadata.Namespace)));
        _claims.AddHandler(InformerHandler<PersistentVolumeClaim>.Any(c => EnqueueWaiting(c.Metadata.Namespace)));
        _volumes.AddHandler(InformerHandler<PersistentVolume>.Any(_ => EnqueueWaiting(null)));
    }

    public ControllerLoop Loop { get; }

    public string PodsDir => Path.Combine(_options.DataDir, "pods");

    public Secret? GetSecret(string ns, string name) => _secrets.Get(ns, name);

    public ConfigMap? GetConfigMap(string ns, string name) => _configMaps.Get(ns, name);

    /// <summary>The runtime of a pod this kubelet runs or ran, for logs.</summary>
    public PodRuntime? Runtime(string ns, string name) => _runtimes.TryGetValue(ObjectKey.Of(ns, name), out var r) ? r : null;

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var pod = _pods.Get(key);
        _runtimes.TryGetValue(key, out var runtime);
        if (runtime is not null && (pod is null || pod.Metadata.Uid != runtime.Uid))
        {
            // Deleted behind our back (force delete) or replaced by a new pod of the same name.
            KillAll(runtime);
            _runtimes.TryRemove(new KeyValuePair<string, PodRuntime>(key, runtime));
            runtime = null;
        }

        if (pod is null || pod.Spec?.NodeName != _options.NodeName)
        {
            return ReconcileResult.Done;
        }

        if (pod.Metadata.DeletionTimestamp is not null)
        {
            if (runtime is null && pod.Metadata.DeletionGracePeriodSeconds == 0)
            {
                // Already confirmed; only someone else's finalizer keeps the object.
                return ReconcileResult.Done;
            }

            return await TerminateAsync(pod, runtime, cancellationToken);
        }

        if (runtime is null)
        {
            if (pod.Status?.Phase is "Succeeded" or "Failed")
            {
                return ReconcileResult.Done;
            }

            var dir = Path.Combine(PodsDir, pod.Metadata.Uid!);
            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, "pod"), key, cancellationToken);
            runtime = _runtimes.GetOrAdd(key, _ => new PodRuntime(pod, dir));
        }

        TimeSpan? requeue = null;
        var tokenProblems = new List<string>();
        var tokens = runtime.SandboxReady ? [] : await _projected.MintTokensAsync(pod, tokenProblems, cancellationToken);
        lock (runtime.Sync)
        {
            if (!runtime.SandboxReady)
            {
                PrepareVolumes(pod, runtime, tokens, tokenProblems);
            }

            if (runtime.SandboxReady)
            {
                requeue = SyncContainers(pod, runtime);
            }
        }

        await WriteStatusAsync(pod, runtime, cancellationToken);
        return requeue is { } r ? ReconcileResult.After(r) : ReconcileResult.Done;
    }

    /// <summary>Starts what should run now; returns when to look again for back-offs.</summary>
    private TimeSpan? SyncContainers(Pod pod, PodRuntime runtime)
    {
        var now = DateTimeOffset.UtcNow;
        var policy = pod.Spec?.RestartPolicy ?? "Always";
        if (PodStatusBuilder.Phase(runtime, policy) is "Succeeded" or "Failed")
        {
            return null;
        }

        foreach (var init in runtime.InitContainers)
        {
            if (init.Terminated is { ExitCode: 0 })
            {
                continue;
            }

            if (init.IsRunning)
            {
                return null;
            }

            if (init.Terminated is not null && policy == "Never")
            {
                return null;
            }

            return TryStart(pod, runtime, init, now);
        }

        TimeSpan? next = null;
        foreach (var c in runtime.Containers)
        {
            if (c.IsRunning)
            {
                continue;
            }

            if (c.Terminated is { } t)
            {
                var restart = policy == "Always" || (policy == "OnFailure" && t.ExitCode != 0);
                if (!restart)
                {
                    continue;
                }

                // Crash loop: the old instance becomes lastState and a back-off applies before the restart.
                var delay = BackOff(c.RestartCount);
                c.LastTerminated = t;
                c.Terminated = null;
                c.RunningSince = null;
                c.RestartCount++;
                c.NotBefore = (t.FinishedAt ?? now) + delay;
                c.Waiting = new ContainerStateWaiting
                {
                    Reason = "CrashLoopBackOff",
                    Message = $"back-off {Seconds(delay)} restarting failed container={c.Name} pod={pod.Metadata.Name}_{pod.Metadata.Namespace}({pod.Metadata.Uid})",
                };
                _events.Warning(pod, "BackOff", "Back-off restarting failed container " + c.Name + " in pod " + pod.Metadata.Name + "_" + pod.Metadata.Namespace + "(" + pod.Metadata.Uid + ")", FieldPath(c));
            }

            var wait = TryStart(pod, runtime, c, now);
            if (wait is { } w && (next is null || w < next))
            {
                next = w;
            }
        }

        return next;
    }

    private TimeSpan? TryStart(Pod pod, PodRuntime runtime, ContainerRuntimeState c, DateTimeOffset now)
    {
        if (c.NotBefore > now)
        {
            return c.NotBefore - now;
        }

        var image = _images.Find(c.Spec.Image);
        if (image is null)
        {
            return PullFailed(pod, c, now);
        }

        c.ImageId = ImageId(c.Spec.Image!, image);
        IReadOnlyList<KeyValuePair<string, string>> env;
        var resolver = new EnvResolver(this);
        try
        {
            var defaults = new List<KeyValuePair<string, string>>(image.Env)
            {
                new("HOSTNAME", PodHostname.For(pod)),
            };
            env = resolver.Resolve(pod, c.Spec, defaults, _resources);
            if (!env.Any(e => e.Key == "HOME"))
            {
                // Container runtimes set HOME from the user's passwd entry; "/" for users without one.
                env = [.. env, new("HOME", HomeOf(Uid(pod, c)))];
            }
        }
        catch (EnvResolutionException e)
        {
            ConfigError(pod, c, "CreateContainerConfigError", e.Message);
            return null;
        }

        foreach (var warning in resolver.SkippedWarnings)
        {
            _events.Warning(pod, "InvalidEnvironmentVariableNames", warning);
        }

        if (!c.PulledReported)
        {
            c.PulledReported = true;
            if (c.Spec.ImagePullPolicy == "Always")
            {
                _events.Normal(pod, "Pulling", $"Pulling image \"{c.Spec.Image}\"", FieldPath(c));
                _events.Normal(pod, "Pulled", $"Successfully pulled image \"{c.Spec.Image}\" in 0s (0s including waiting). Image size: 0 bytes.", FieldPath(c));
            }
            else
            {
                _events.Normal(pod, "Pulled", $"Container image \"{c.Spec.Image}\" already present on machine", FieldPath(c));
            }
        }

        Func<string, string?> lookup = name => env.LastOrDefault(e => e.Key == name) is { Key: not null } kv ? kv.Value : null;
        var command = c.Spec.Command is { Count: > 0 } cmd ? cmd.Select(a => EnvExpansion.Expand(a, lookup)).ToList() : image.Entrypoint.ToList();
        var args = c.Spec.Args is { Count: > 0 } a
            ? a.Select(x => EnvExpansion.Expand(x, lookup)).ToList()
            : c.Spec.Command is { Count: > 0 } ? [] : image.Cmd.ToList();
        var argv = command.Concat(args).ToList();

        var containerDir = Path.Combine(runtime.Dir, "containers", c.Name);
        Directory.CreateDirectory(containerDir);
        var logPath = c.LogPath(runtime.Dir);
        File.WriteAllBytes(logPath, []);
        c.ContainerId = "sandbox://" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

        if (image.NoopExitCode is { } code)
        {
            _events.Normal(pod, "Created", $"Created container: {c.Name}", FieldPath(c));
            _events.Normal(pod, "Started", $"Started container {c.Name}", FieldPath(c));
            c.RunningSince = now;
            c.Terminated = Terminated(code, now, now, null, c.ContainerId);
            Loop.Enqueue(runtime.Key);
            return null;
        }

        if (argv.Count == 0)
        {
            ConfigError(pod, c, "CreateContainerError", "failed to generate container spec: no command specified");
            return null;
        }

        List<MountSpec> mounts;
        try
        {
            mounts = Mounts(runtime, c);
        }
        catch (InvalidOperationException e)
        {
            ConfigError(pod, c, "CreateContainerConfigError", e.Message);
            return null;
        }

        if (ImageDirectory(image) is { } imageDir)
        {
            // A real image carries its entrypoint inside; here the "image" is a program on the host, which must be
            // visible wherever the host keeps it (a checkout under /tmp would be hidden by the container's own /tmp).
            mounts.Add(new MountSpec(imageDir, imageDir, true));
        }

        var terminationLog = Path.Combine(containerDir, "termination-log-" + c.RestartCount);
        File.WriteAllBytes(terminationLog, []);
        // As the kubelet does: writable by whatever user the container runs as.
        SetMode(terminationLog, "666");
        var launch = new ContainerLaunch
        {
            Argv = argv,
            Env = env,
            WorkingDir = string.IsNullOrEmpty(c.Spec.WorkingDir) ? "/" : c.Spec.WorkingDir,
            Mounts = mounts,
            Uid = Uid(pod, c),
            Gid = c.Spec.SecurityContext?.RunAsGroup ?? pod.Spec?.SecurityContext?.RunAsGroup ?? 0,
            // As the runtime does: fsGroup and supplementalGroups both become supplementary groups of the process.
            Groups = [.. new[] { pod.Spec?.SecurityContext?.FsGroup }.OfType<long>().Concat(pod.Spec?.SecurityContext?.SupplementalGroups ?? []).Distinct()],
            ReadOnlyRootFilesystem = c.Spec.SecurityContext?.ReadOnlyRootFilesystem == true,
            Hostname = PodHostname.For(pod),
            WritableDirs = [env.LastOrDefault(e => e.Key == "HOME").Value ?? "/", "/var/tmp"],
            TerminationLogHostPath = terminationLog,
            TerminationMessagePath = string.IsNullOrEmpty(c.Spec.TerminationMessagePath) ? "/dev/termination-log" : c.Spec.TerminationMessagePath,
        };

        _events.Normal(pod, "Created", $"Created container: {c.Name}", FieldPath(c));
        ContainerProcess process;
        try
        {
            process = ContainerProcess.Start(BwrapCommandBuilder.Command(launch, _options.BwrapPath), launch.Env, logPath, containerDir);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            c.Terminated = Terminated(128, now, now, "failed to start container: " + e.Message, c.ContainerId) with { Reason = "StartError" };
            _events.Warning(pod, "Failed", "Error: " + e.Message, FieldPath(c));
            return null;
        }

        c.Process = process;
        c.RunningSince = now;
        c.LastWarning = null;
        _events.Normal(pod, "Started", $"Started container {c.Name}", FieldPath(c));
        LogStarted(_logger, runtime.Key, c.Name, string.Join(' ', argv));
        var spec = c.Spec;
        _ = process.Exited.ContinueWith(t => OnExit(runtime, c, process, t.Result, terminationLog, logPath, spec.TerminationMessagePolicy), TaskScheduler.Default);
        return null;
    }

    private void OnExit(PodRuntime runtime, ContainerRuntimeState c, ContainerProcess process, int exitCode, string terminationLog, string logPath, string? policy)
    {
        lock (runtime.Sync)
        {
            var now = DateTimeOffset.UtcNow;
            string? message;
            var reason = exitCode == 0 ? "Completed" : "Error";
            var lastLine = TerminationMessage.Tail(logPath, 1, 1024).Trim();
            if (exitCode == 1 && lastLine.StartsWith("bwrap: ", StringComparison.Ordinal))
            {
                // bwrap could not set the container up: the runtime's StartError, the command never ran.
                reason = "StartError";
                exitCode = 128;
                message = "failed to create containerd task: " + lastLine;
            }
            else
            {
                message = TerminationMessage.Read(terminationLog, policy, exitCode, logPath);
            }

            c.Terminated = Terminated(exitCode, c.RunningSince ?? now, now, message, c.ContainerId) with { Reason = reason };
            c.Process = null;
            process.Dispose();
        }

        Loop.Enqueue(runtime.Key);
    }

    private TimeSpan? PullFailed(Pod pod, ContainerRuntimeState c, DateTimeOffset now)
    {
        var image = c.Spec.Image ?? "";
        if (c.Waiting.Reason == "ErrImagePull")
        {
            // Second look after the first failure: the kubelet backs off and says so.
            c.Waiting = new ContainerStateWaiting { Reason = "ImagePullBackOff", Message = $"Back-off pulling image \"{image}\"" };
            _events.Normal(pod, "BackOff", $"Back-off pulling image \"{image}\"", FieldPath(c));
            _events.Warning(pod, "Failed", "Error: ImagePullBackOff", FieldPath(c));
            c.PullFailures++;
            c.NotBefore = now + BackOff(c.PullFailures);
            return c.NotBefore - now;
        }

        var error = $"failed to pull and unpack image \"{Qualified(image)}\": failed to resolve reference \"{Qualified(image)}\": {Qualified(image)}: not found";
        c.Waiting = new ContainerStateWaiting { Reason = "ErrImagePull", Message = "rpc error: code = NotFound desc = " + error };
        _events.Normal(pod, "Pulling", $"Pulling image \"{image}\"", FieldPath(c));
        _events.Warning(pod, "Failed", $"Failed to pull image \"{image}\": rpc error: code = NotFound desc = {error}", FieldPath(c));
        _events.Warning(pod, "Failed", "Error: ErrImagePull", FieldPath(c));
        c.NotBefore = now + TimeSpan.FromSeconds(Math.Min(1, _options.BackOff.TotalSeconds));
        return c.NotBefore - now;
    }

    private void ConfigError(Pod pod, ContainerRuntimeState c, string reason, string message)
    {
        c.Waiting = new ContainerStateWaiting { Reason = reason, Message = message };
        if (c.LastWarning != message)
        {
            c.LastWarning = message;
            _events.Warning(pod, "Failed", "Error: " + message, FieldPath(c));
        }
    }

    private void PrepareVolumes(Pod pod, PodRuntime runtime, Dictionary<string, string> tokens, List<string> tokenProblems)
    {
        var problems = new List<string>(tokenProblems);
        var projected = ProjectedVolumes.Of(pod).ToDictionary(p => p.Name, p => p.Projected, StringComparer.Ordinal);
        foreach (var volume in pod.Spec?.Volumes ?? [])
        {
            var hostPath = Path.Combine(runtime.Dir, "volumes", volume.Name);
            if (volume.PersistentVolumeClaim is { } pvcSource)
            {
                var claim = _claims.Get(pod.Metadata.Namespace, pvcSource.ClaimName);
                var pv = claim?.Spec?.VolumeName is { Length: > 0 } vn ? _volumes.Get(vn) : null;
                if (claim is null || claim.Status?.Phase != "Bound" || pv?.Spec?.HostPath?.Path is not { } path)
                {
                    problems.Add(claim is null ? $"persistentvolumeclaim \"{pvcSource.ClaimName}\" not found" : $"PVC {pod.Metadata.Namespace}/{pvcSource.ClaimName} is not bound");
                    continue;
                }

                Directory.CreateDirectory(path);
                // As the kubelet's CSI mounter (csiMountMgr.supportsFSGroup): a volume the pod mounts read-only keeps
                // its ownership and modes; fsGroup applies only to writable mounts.
                if (pvcSource.ReadOnly != true)
                {
                    ApplyFsGroup(path, pod.Spec?.SecurityContext?.FsGroup);
                }

                runtime.VolumePaths[volume.Name] = path;
            }
            else if (volume.EmptyDir is not null)
            {
                // emptyDir is world-writable (0777), as the kubelet creates it.
                Directory.CreateDirectory(hostPath);
                SetMode(hostPath, "777");
                ApplyFsGroup(hostPath, pod.Spec?.SecurityContext?.FsGroup);
                runtime.VolumePaths[volume.Name] = hostPath;
            }
            else if (volume.Secret is { } secretSource)
            {
                var secret = GetSecret(pod.Metadata.Namespace!, secretSource.SecretName ?? "");
                if (secret is null && secretSource.Optional != true)
                {
                    problems.Add($"MountVolume.SetUp failed for volume \"{volume.Name}\" : secret \"{secretSource.SecretName}\" not found");
                    continue;
                }

                WriteFiles(hostPath, (secret?.Data ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => Convert.FromBase64String(kv.Value)));
                runtime.VolumePaths[volume.Name] = hostPath;
            }
            else if (volume.ConfigMap is { } cmSource)
            {
                var cm = GetConfigMap(pod.Metadata.Namespace!, cmSource.Name ?? "");
                if (cm is null && cmSource.Optional != true)
                {
                    problems.Add($"MountVolume.SetUp failed for volume \"{volume.Name}\" : configmap \"{cmSource.Name}\" not found");
                    continue;
                }

                WriteFiles(hostPath, (cm?.Data ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value)));
                runtime.VolumePaths[volume.Name] = hostPath;
            }
            else if (volume.HostPath is { } hp)
            {
                runtime.VolumePaths[volume.Name] = hp.Path;
            }
            else if (projected.TryGetValue(volume.Name, out var projection))
            {
                if (tokenProblems.Count > 0)
                {
                    continue;
                }

                if (ProjectedVolumes.Write(pod, volume.Name, projection, hostPath, tokens, this) is { } problem)
                {
                    problems.Add(problem);
                    continue;
                }

                runtime.VolumePaths[volume.Name] = hostPath;
            }
            else
            {
                // Other kinds: an empty directory keeps the pod runnable.
                Directory.CreateDirectory(hostPath);
                runtime.VolumePaths[volume.Name] = hostPath;
            }
        }

        if (problems.Count > 0)
        {
            var message = problems.Count == 1 && problems[0].StartsWith("MountVolume", StringComparison.Ordinal)
                ? problems[0]
                : $"Unable to attach or mount volumes: unmounted volumes=[{string.Join(' ', problems)}]";
            if (runtime.VolumeWarning != message)
            {
                runtime.VolumeWarning = message;
                _events.Warning(pod, "FailedMount", message);
            }

            return;
        }

        runtime.SandboxReady = true;
    }

    private static void ApplyFsGroup(string path, long? fsGroup)
    {
        if (fsGroup is { } gid)
        {
            VolumeOwnership.Apply(path, gid);
        }
    }

    private static void SetMode(string path, string mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
        }
    }

    private static void WriteFiles(string dir, Dictionary<string, byte[]> files)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, content) in files)
        {
            File.WriteAllBytes(Path.Combine(dir, name), content);
        }
    }

    private static string? ImageDirectory(ImageConfig image)
    {
        string[] system = ["/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/etc/"];
        return image.Entrypoint.FirstOrDefault() is { } entry
            && Path.IsPathRooted(entry)
            && File.Exists(entry)
            && !system.Any(d => entry.StartsWith(d, StringComparison.Ordinal))
            ? Path.GetDirectoryName(entry)
            : null;
    }

    private static List<MountSpec> Mounts(PodRuntime runtime, ContainerRuntimeState c)
    {
        var mounts = new List<MountSpec>();
        foreach (var m in c.Spec.VolumeMounts ?? [])
        {
            if (!runtime.VolumePaths.TryGetValue(m.Name, out var host))
            {
                throw new InvalidOperationException($"cannot find volume \"{m.Name}\" to mount into container \"{c.Name}\"");
            }

            if (!string.IsNullOrEmpty(m.SubPath))
            {
                host = Path.Combine(host, m.SubPath);
                Directory.CreateDirectory(host);
            }

            mounts.Add(new MountSpec(host, m.MountPath, m.ReadOnly == true));
        }

        return mounts;
    }

    private async Task<ReconcileResult> TerminateAsync(Pod pod, PodRuntime? runtime, CancellationToken cancellationToken)
    {
        if (runtime is not null)
        {
            lock (runtime.Sync)
            {
                if (runtime.Termination is null)
                {
                    var grace = TimeSpan.FromSeconds(pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec?.TerminationGracePeriodSeconds ?? 30);
                    runtime.Termination = StopContainersAsync(pod, runtime, grace);
                }

                if (!runtime.Termination.IsCompleted)
                {
                    return ReconcileResult.Done;
                }

                runtime.Killed = true;
                foreach (var c in runtime.All.Where(c => !c.HasStarted))
                {
                    c.Waiting = new ContainerStateWaiting { Reason = "ContainerCreating" };
                }
            }

            await WriteStatusAsync(pod, runtime, cancellationToken);
        }

        try
        {
            await _podClient.DeleteAsync(pod.Metadata.Namespace, pod.Metadata.Name!, new DeleteOptions
            {
                GracePeriodSeconds = 0,
                Preconditions = new Preconditions { Uid = pod.Metadata.Uid },
            }, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound || e.IsConflict)
        {
            // Already gone.
        }

        if (runtime is not null)
        {
            _runtimes.TryRemove(new KeyValuePair<string, PodRuntime>(pod.Key(), runtime));
            TryDelete(runtime.Dir);
        }

        return ReconcileResult.Done;
    }

    private async Task StopContainersAsync(Pod pod, PodRuntime runtime, TimeSpan grace)
    {
        var running = runtime.All.Where(c => c.Process is not null).Select(c => (c, c.Process!)).ToList();
        foreach (var (c, process) in running)
        {
            _events.Normal(pod, "Killing", $"Stopping container {c.Name}", FieldPath(c));
            process.Signal("TERM");
        }

        foreach (var (_, process) in running)
        {
            var exited = process.Exited;
            if (await Task.WhenAny(exited, Task.Delay(grace)) != exited)
            {
                process.Kill();
            }

            await exited;
        }

        // Let OnExit record the final states before the status is written.
        await Task.Delay(50);
        Loop.Enqueue(runtime.Key);
    }

    private async Task WriteStatusAsync(Pod pod, PodRuntime runtime, CancellationToken cancellationToken)
    {
        PodStatus status;
        lock (runtime.Sync)
        {
            status = PodStatusBuilder.Build(pod, runtime, DateTimeOffset.UtcNow);
        }

        var json = JsonSerializer.Serialize(status, KubeJsonContext.Default.PodStatus);
        if (json == runtime.LastWrittenStatus)
        {
            return;
        }

        try
        {
            // The kubelet owns pod status: on conflict it takes the newest pod and writes its status over it.
            if (await ConflictRetry.UpdateAsync(_podClient, pod, latest => latest with { Status = status }, WriteTarget.Status, _logger, cancellationToken) is not null)
            {
                runtime.LastWrittenStatus = json;
            }
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Deleted meanwhile; nothing to report to.
        }
    }

    /// <summary>Kills every container at once (agent shutdown, force-deleted pods).</summary>
    public void KillAll()
    {
        foreach (var runtime in _runtimes.Values)
        {
            KillAll(runtime);
        }
    }

    private static void KillAll(PodRuntime runtime)
    {
        foreach (var c in runtime.All)
        {
            c.Process?.Kill();
        }
    }

    private void EnqueueWaiting(string? ns)
    {
        foreach (var pod in _pods.List(ns))
        {
            // Only what is stuck on configuration: a burst of claims must not re-sync every starting pod of the namespace.
            if (pod.Status?.Phase is null or "Pending" && (!_runtimes.TryGetValue(pod.Key(), out var runtime) || runtime.WaitsForConfig))
            {
                Loop.Enqueue(pod.Key());
            }
        }
    }

    private TimeSpan BackOff(int failures)
    {
        var ticks = _options.BackOff.Ticks * (1L << Math.Min(Math.Max(failures, 0), 5));
        return TimeSpan.FromTicks(Math.Min(ticks, TimeSpan.FromMinutes(5).Ticks));
    }

    /// <summary>The user's home from the image's (here: the host's) /etc/passwd, "/" without an entry, as runtimes do.</summary>
    private static string HomeOf(long uid)
    {
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length > 5 && f[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    return f[5];
                }
            }
        }
        catch (IOException)
        {
            // No passwd: fall through.
        }

        return "/";
    }

    private static long Uid(Pod pod, ContainerRuntimeState c) =>
        c.Spec.SecurityContext?.RunAsUser ?? pod.Spec?.SecurityContext?.RunAsUser ?? 0;

    private static ContainerStateTerminated Terminated(int exitCode, DateTimeOffset started, DateTimeOffset finished, string? message, string? id) => new()
    {
        ExitCode = exitCode,
        Reason = exitCode == 0 ? "Completed" : "Error",
        Message = message,
        StartedAt = started,
        FinishedAt = finished,
        ContainerId = id,
    };

    private static string FieldPath(ContainerRuntimeState c) =>
        (c.IsInit ? "spec.initContainers{" : "spec.containers{") + c.Name + "}";

    private static string ImageId(string image, ImageConfig config)
    {
        var repo = ImageTable.Candidates(image).Skip(1).FirstOrDefault() ?? image;
        return Qualified(repo.Split('@')[0]) + "@" + config.Digest;
    }

    private static string Qualified(string image) =>
        image.Contains('/', StringComparison.Ordinal) && image.Split('/')[0].Contains('.', StringComparison.Ordinal)
            ? image
            : "docker.io/" + (image.Contains('/', StringComparison.Ordinal) ? image : "library/" + image);

    private static string Seconds(TimeSpan t) =>
        t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds}s" : $"{(int)t.TotalSeconds}s";

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftovers in the data dir are harmless.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started container {Pod}/{Container}: {Command}")]
    private static partial void LogStarted(ILogger logger, string pod, string container, string command);
}
