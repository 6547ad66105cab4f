namespace DataMover.Bench;

/// <summary>What a finished command printed and its exit code.</summary>
internal sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public string LastErrorLine =>
        (Stderr.Length > 0 ? Stderr : Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {ExitCode}";
}
