using DataMover.Operator.Hosting;

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
return await command.Parse(args).InvokeAsync();
