namespace DataMover.Bench;

/// <summary>
/// A deterministic tree of mixed file sizes: sizes drawn log-uniformly between 1 KiB and 4 MiB (many small files, a few
/// large ones, as application volumes have), scaled to the requested total, spread over 100 folders two levels deep.
/// </summary>
internal static class TreeGenerator
{
    private const int Seed = 20261130;

    public static async Task WriteAsync(string root, long totalBytes, int files, CancellationToken ct)
    {
        var random = new Random(Seed);
        var raw = Enumerable.Range(0, files).Select(_ => Math.Exp(random.NextDouble() * Math.Log(4096))).ToArray();
        var scale = totalBytes / raw.Sum();
        var sizes = raw.Select(r => (long)(r * scale)).ToArray();
        // Rounding down loses a few bytes: the first file takes them, so the total is exact.
        sizes[0] += totalBytes - sizes.Sum();
        var buffer = new byte[1 << 20];
        for (var i = 0; i < files; i++)
        {
            var folder = Path.Combine(root, $"d{i % 10:00}", $"d{i / 10 % 10:00}");
            Directory.CreateDirectory(folder);
            await using var file = new FileStream(Path.Combine(folder, $"file-{i:00000}.bin"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            for (var left = sizes[i]; left > 0; left -= buffer.Length)
            {
                random.NextBytes(buffer);
                await file.WriteAsync(buffer.AsMemory(0, (int)Math.Min(left, buffer.Length)), ct);
            }
        }
    }
}
