namespace DataMover.Kube.Config;

/// <summary>
/// Re-reads the token file when its modification time changes, and at least once a minute, because the kubelet
/// rotates projected tokens by swapping a symlink whose timestamp need not move.
/// </summary>
internal sealed class FileTokenSource(string path, TimeProvider time) : TokenSource
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private string? _token;
    private DateTime _fileTime;
    private DateTimeOffset _readAt;

    public override string? GetToken()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            var fileTime = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : _fileTime;
            if (_token is null || fileTime != _fileTime || now - _readAt > MaxAge)
            {
                try
                {
                    _token = File.ReadAllText(path).Trim();
                    _fileTime = fileTime;
                    _readAt = now;
                }
                catch (IOException) when (_token is not null)
                {
                    // Mid-rotation the file can vanish for a moment; the last token is still good for a while.
                }
            }

            return _token;
        }
    }
}
