namespace DataMover.Sandbox.Hosting;

/// <summary>
/// Something the sandbox runs next to the API server (controllers, the node agent). Components are
/// created from <see cref="SandboxOptions.Components"/> once the server is serving, started in order,
/// and disposed in reverse order before the server stops.
/// </summary>
public interface IHostedComponent : IAsyncDisposable
{
    /// <summary>Name used in logs.</summary>
    string Name { get; }

    /// <summary>Starts background work; should return once the component is running.</summary>
    Task StartAsync(CancellationToken cancellationToken);
}
