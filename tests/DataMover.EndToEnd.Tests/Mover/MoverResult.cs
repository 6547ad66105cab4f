using System.Text.Json;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>The observable outcome of one mover run, as a pod would leave it.</summary>
internal sealed record MoverResult(int ExitCode, string StandardOutput, string StandardError, string TerminationMessage, TimeSpan Duration)
{
    /// <summary>The last non-empty line on stderr: the mover's one-line verdict on failure.</summary>
    public string FinalErrorLine =>
        StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    /// <summary>Everything the run exposed: what would end up in the pod log and status.</summary>
    public string AllText => $"{StandardOutput}\n{StandardError}\n{TerminationMessage}";

    /// <summary>The structured result (docs/mover-protocol.md) the termination message holds on success.</summary>
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(TerminationMessage);
            return document.RootElement.Clone();
        }
    }

    /// <summary>A string property of <see cref="Json"/>.</summary>
    public string Field(string name) => Json.GetProperty(name).GetString() ?? "";

    /// <summary>A readable dump for assertion messages.</summary>
    public override string ToString() =>
        $"exit {ExitCode} after {Duration.TotalSeconds:0.0}s\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}\n--- termination message ---\n{TerminationMessage}";
}
