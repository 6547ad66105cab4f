using DataMover.Kube.Models;
using DataMover.Operator.Controllers;
using DataMover.Operator.Hosting;

namespace DataMover.Operator.Tests.Unit;

public sealed class DiagnosticsTests
{
    [Theory]
    [InlineData("backup to s3:my-bucket/2024-08-06-143052 complete: Transferred 3", "s3://my-bucket/2024-08-06-143052/")]
    [InlineData("backup to s3:my-bucket complete: x", "s3://my-bucket/")]
    [InlineData("something else", null)]
    public void DestinationComesFromTheMoversSuccessMessage(string message, string? expected) =>
        Assert.Equal(expected, PodDiagnostics.DestinationFrom(message));

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
