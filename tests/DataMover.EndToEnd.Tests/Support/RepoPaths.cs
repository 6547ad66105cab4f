namespace DataMover.EndToEnd.Tests.Support;

/// <summary>
/// Well-known locations in the repository checkout the tests run from. The root is found by
/// walking up from the test assembly to DataMover.sln, so tests work from any output folder.
/// </summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>Directory containing DataMover.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>Tools installed by scripts/prereqs.sh (git-ignored).</summary>
    public static string ToolsDirectory => Path.Combine(Root, ".tools");

    /// <summary>The s3rver launcher installed by scripts/prereqs.sh.</summary>
    public static string S3rverExecutable => Path.Combine(ToolsDirectory, "node_modules", ".bin", "s3rver");

    /// <summary>The mover container's entry point script.</summary>
    public static string MoverEntrypoint => Path.Combine(Root, "mover", "entrypoint.sh");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataMover.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"DataMover.sln not found in any parent of {AppContext.BaseDirectory}; run the tests from a repository checkout.");
    }
}
