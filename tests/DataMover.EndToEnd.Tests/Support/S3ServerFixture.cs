namespace DataMover.EndToEnd.Tests.Support;

/// <summary>
/// xunit class/collection fixture sharing one <see cref="S3Server"/> across a test class;
/// tests isolate themselves by using their own bucket (<see cref="NewBucketName"/>).
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    private S3Server? _server;

    internal S3Server Server => _server ?? throw new InvalidOperationException("The fixture has not been initialized.");

    /// <summary>A fresh, valid, unique bucket name.</summary>
    public static string NewBucketName(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(63, purpose.Length + 33)];

    public async Task InitializeAsync() => _server = await S3Server.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
