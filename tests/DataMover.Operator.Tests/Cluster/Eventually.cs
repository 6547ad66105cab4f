namespace DataMover.Operator.Tests.Cluster;

/// <summary>Polls a condition against the cluster until it holds or the timeout passes.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> probe, string what, TimeSpan timeout) =>
        await ValueAsync(async () => await probe() ? "yes" : null, what, timeout);

    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan timeout) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(100);
        }
    }
}
