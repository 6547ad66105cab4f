using System.CommandLine;
using System.Runtime.InteropServices;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Sandbox.Hosting;
using DataMover.Sandbox.Node;

var kubeconfig = new Option<string>("--kubeconfig") { Description = "Where to write the kubeconfig for kubectl and the operator", Required = true };
var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 0 };
var dataDir = new Option<string?>("--data-dir") { Description = "Directory for volumes and node state (default: a fresh temp dir)" };
var faults = new Option<string?>("--faults") { Description = "Fault injection spec, e.g. error500=0.05,error429=0.05:list,conflict=0.1,latency=20,cutWatches=10" };
var noNode = new Option<bool>("--no-node") { Description = "Do not start the node agent (kubelet, provisioner)" };
var plainHttp = new Option<bool>("--insecure-http") { Description = "Serve plain HTTP instead of HTTPS with a generated CA" };
var images = new Option<string[]>("--image") { Description = "Map an image (repository or exact reference) to a host entrypoint: name=path; repeatable", AllowMultipleArgumentsPerToken = false };
var disabledAdmission = new Option<string?>("--disable-admission-plugins") { Description = "Comma-separated admission plugins to turn off (OwnerReferencesPermissionEnforcement)" };
var nodeName = new Option<string>("--node-name") { Description = "Name of the node the agent registers", DefaultValueFactory = _ => "sandbox-node" };

var serve = new Command("serve", "Run the sandbox cluster until SIGINT/SIGTERM");
serve.Options.Add(kubeconfig);
serve.Options.Add(port);
serve.Options.Add(dataDir);
serve.Options.Add(faults);
serve.Options.Add(noNode);
serve.Options.Add(plainHttp);
serve.Options.Add(images);
serve.Options.Add(disabledAdmission);
serve.SetAction(async (parse, _) =>
{
    if (parse.GetValue(faults) is { } spec)
    {
        try
        {
            FaultInjector.Parse(spec);
        }
        catch (FormatException ex)
        {
            Console.Error.WriteLine($"invalid --faults: {ex.Message}");
            return 2;
        }
    }

    var disabled = (parse.GetValue(disabledAdmission) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    if (disabled.FirstOrDefault(p => p != "OwnerReferencesPermissionEnforcement") is { } unknown)
    {
        Console.Error.WriteLine($"invalid --disable-admission-plugins: {unknown} is not a plugin the sandbox runs");
        return 2;
    }

    var options = new SandboxOptions
    {
        OwnerReferencesPermissionEnforcement = !disabled.Contains("OwnerReferencesPermissionEnforcement"),
        KubeconfigPath = parse.GetValue(kubeconfig),
        Port = parse.GetValue(port),
        DataDir = parse.GetValue(dataDir),
        Faults = parse.GetValue(faults),
        NoNode = parse.GetValue(noNode),
        UseTls = !parse.GetValue(plainHttp),
    };
    SandboxComponents.AddDefaults(options, node: new NodeAgentOptions { DataDir = "", Images = ParseImages(parse.GetValue(images)) });
    using var stop = new CancellationTokenSource();
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
    await using var cluster = await SandboxCluster.StartAsync(options, stop.Token);
    Console.Out.WriteLine($"sandbox ready: {cluster.Url.ToString().TrimEnd('/')}");
    Console.Out.Flush();
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        // Normal shutdown.
    }

    return 0;
});

var agentKubeconfig = new Option<string>("--kubeconfig") { Description = "Kubeconfig of the API server to join", Required = true };
var agent = new Command("agent", "Run only the node agent (kubelet, CSI provisioner) against an API server");
agent.Options.Add(agentKubeconfig);
agent.Options.Add(dataDir);
agent.Options.Add(nodeName);
agent.Options.Add(images);
agent.SetAction(async (parse, _) =>
{
    using var stop = new CancellationTokenSource();
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
    using var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace));
    using var client = new KubeClient(KubeConfigLoader.Load(parse.GetValue(agentKubeconfig)));
    var options = new NodeAgentOptions
    {
        NodeName = parse.GetValue(nodeName)!,
        DataDir = parse.GetValue(dataDir) ?? Path.Combine(Path.GetTempPath(), "datamover-agent-" + Environment.ProcessId),
        Images = ParseImages(parse.GetValue(images)),
    };
    await using var node = new NodeAgent(client, options, loggers);
    await node.StartAsync(stop.Token);
    Console.Out.WriteLine($"agent ready: {node.NodeName}");
    Console.Out.Flush();
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        // Normal shutdown: disposing the agent kills its containers.
    }

    return 0;
});

var root = new RootCommand("DataMover sandbox: a Kubernetes-compatible API server for local runs and tests");
root.Subcommands.Add(serve);
root.Subcommands.Add(agent);
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

static Dictionary<string, string> ParseImages(string[]? specs) =>
    (specs ?? []).Select(s => s.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => Path.GetFullPath(p[1]));
