using System.CommandLine;
using System.Runtime.InteropServices;
using DataMover.Sandbox.Hosting;

var kubeconfig = new Option<string>("--kubeconfig") { Description = "Where to write the kubeconfig for kubectl and the operator", Required = true };
var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 0 };
var dataDir = new Option<string?>("--data-dir") { Description = "Directory for volumes and node state (default: a fresh temp dir)" };
var faults = new Option<string?>("--faults") { Description = "Fault injection spec, e.g. error500=0.05,error429=0.05:list,conflict=0.1,latency=20,cutWatches=10" };
var noNode = new Option<bool>("--no-node") { Description = "Do not start the node agent (kubelet, provisioner)" };
var plainHttp = new Option<bool>("--insecure-http") { Description = "Serve plain HTTP instead of HTTPS with a generated CA" };

var serve = new Command("serve", "Run the sandbox cluster until SIGINT/SIGTERM");
serve.Options.Add(kubeconfig);
serve.Options.Add(port);
serve.Options.Add(dataDir);
serve.Options.Add(faults);
serve.Options.Add(noNode);
serve.Options.Add(plainHttp);
serve.SetAction(async (parse, _) =>
{
    var options = new SandboxOptions
    {
        KubeconfigPath = parse.GetValue(kubeconfig),
        Port = parse.GetValue(port),
        DataDir = parse.GetValue(dataDir),
        Faults = parse.GetValue(faults),
        NoNode = parse.GetValue(noNode),
        UseTls = !parse.GetValue(plainHttp),
    };
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

var root = new RootCommand("DataMover sandbox: a Kubernetes-compatible API server for local runs and tests");
root.Subcommands.Add(serve);
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
