using System.CommandLine;
using System.Runtime.InteropServices;
using DataMover.Operator.Hosting;

// The process owns SIGTERM/SIGINT rather than System.CommandLine, whose handler gives an action 2 seconds before it
// ends the process: the operator needs its shutdown grace and the lease release to happen before it exits.
using var terminating = new CancellationTokenSource();
void Terminate(PosixSignalContext context)
{
    context.Cancel = true;
    terminating.Cancel();
}

using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Terminate);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Terminate);

var command = CommandLine.Build(async (options, cancellationToken) =>
{
    await using var host = await OperatorHost.StartAsync(options, cancellationToken);
    var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    await using var registration = cancellationToken.Register(() => stopped.TrySetResult());
    var finished = await Task.WhenAny(host.Completion, stopped.Task);
    if (finished == host.Completion && host.Completion.IsFaulted)
    {
        await host.StopAsync();
        return 1;
    }

    await host.StopAsync();
    return 0;
});
return await command.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, terminating.Token);
