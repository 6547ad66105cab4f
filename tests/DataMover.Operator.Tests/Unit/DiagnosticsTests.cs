using DataMover.Kube.Models;
using DataMover.Operator.Controllers;
using DataMover.Operator.Hosting;

namespace DataMover.Operator.Tests.Unit;

public sealed class DiagnosticsTests
{
    [Theory]
    [InlineData("AWS_SECRET_ACCESS_KEY=canary-123 and more", "AWS_SECRET_ACCESS_KEY=<redacted> and more")]
    [InlineData("password: 'a b c' left", "password: <redacted> left")]
    [InlineData("{\"secretKey\":\"canary\"}", "{\"secretKey\":<redacted>}")]
    [InlineData("line one\nline\ttwo", "line one line two")]
    [InlineData("bucket b not found", "bucket b not found")]
    public void QuotedMoverTextIsOneLineWithoutCredentials(string text, string expected) =>
        Assert.Equal(expected, PodDiagnostics.Quote(text));

    [Fact]
    public void QuotedMoverTextIsBounded() =>
        Assert.Equal(PodDiagnostics.MaxQuote + 1, PodDiagnostics.Quote(new string('x', 5000)).Length);

    [Fact]
    public void TerminationMessageOfTheNewestFailedPod()
    {
        Pod P(int minute, int exit, string? message) => new()
        {
            Metadata = new ObjectMeta { Name = $"p{minute}", CreationTimestamp = new DateTimeOffset(2024, 1, 1, 0, minute, 0, TimeSpan.Zero) },
            Status = new PodStatus { ContainerStatuses = [new ContainerStatus { Name = "mover", State = new ContainerState { Terminated = new ContainerStateTerminated { ExitCode = exit, Message = message } } }] },
        };
        Assert.Equal("bucket x not found", PodDiagnostics.TerminationMessage([P(1, 1, "old"), P(2, 3, "bucket x not found\n")], failed: true));
        Assert.Equal("mover exited with code 2", PodDiagnostics.TerminationMessage([P(1, 2, null)], failed: true));
        Assert.Null(PodDiagnostics.TerminationMessage([P(1, 2, "x")], failed: false));
    }

    [Fact]
    public void MissingSecretBlocksThePod()
    {
        var pod = new Pod
        {
            Status = new PodStatus
            {
                Phase = "Pending",
                ContainerStatuses = [new ContainerStatus { Name = "mover", State = new ContainerState { Waiting = new ContainerStateWaiting { Reason = "CreateContainerConfigError", Message = "secret \"x\" not found" } } }],
            },
        };
        Assert.Equal(("CreateContainerConfigError", "secret \"x\" not found"), PodDiagnostics.Blocked(pod));
    }

    [Theory]
    [InlineData(":8080", "0.0.0.0", 8080)]
    [InlineData("127.0.0.1:0", "127.0.0.1", 0)]
    [InlineData("[::1]:9090", "::1", 9090)]
    public void BindAddresses(string text, string ip, int port)
    {
        var ep = BindAddress.Parse(text)!;
        Assert.Equal((ip, port), (ep.Address.ToString(), ep.Port));
    }

    [Fact]
    public void ZeroDisablesAListener() => Assert.Null(BindAddress.Parse("0"));

    [Fact]
    public void ConditionTransitionTimeMovesOnlyWithStatus()
    {
        var t0 = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var list = Conditions.Set(null, "Progressing", true, "A", "a", 1, t0);
        list = Conditions.Set(list, "Progressing", true, "B", "b", 1, t0.AddMinutes(1));
        Assert.Equal(t0, Assert.Single(list).LastTransitionTime);
        list = Conditions.Set(list, "Progressing", false, "C", "c", 1, t0.AddMinutes(2));
        Assert.Equal(t0.AddMinutes(2), Assert.Single(list).LastTransitionTime);
    }
}
