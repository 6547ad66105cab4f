namespace DataMover.Sandbox.Node;

/// <summary>
/// What the sandbox knows of an image: its ENTRYPOINT, CMD and ENV as a registry would describe them, or that it
/// exits at once without starting anything (noop images for scale tests).
/// </summary>
internal sealed record ImageConfig
{
    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    public IReadOnlyList<string> Cmd { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [new("PATH", ImageTable.DefaultPath)];
    public int? NoopExitCode { get; init; }
    public string Digest { get; init; } = "sha256:" + new string('0', 64);
}
