using System.Reflection;
using DataMover.Operator.Controllers;
using DataMover.Operator.Hosting;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>The version the binary reports is the one Directory.Build.props sets, and the mover's default tag follows it.</summary>
public sealed class VersionTests
{
    private static readonly string Version = typeof(OperatorVersion).Assembly.GetName().Version!.ToString(3);

    [Fact]
    public async Task The_executable_prints_its_version_and_commit_and_exits_0()
    {
        using var process = OperatorProcess.Start(["--version"], new Dictionary<string, string>());
        await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, process.ExitCode);
        var printed = Assert.Single(process.Output, l => l.Length > 0);
        Assert.Equal(OperatorVersion.Current, printed);
        Assert.StartsWith(Version, printed, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reported_version_is_the_assembly_version_with_the_commit()
    {
        var informational = typeof(OperatorVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(informational, OperatorVersion.Current);
        Assert.Matches(@"^\d+\.\d+\.\d+(\+[0-9a-f]{7,40})?$", OperatorVersion.Current);
    }

    [Fact]
    public void The_default_mover_image_is_tagged_with_the_operators_version()
    {
        // Operator and mover are released together from one commit; bumping <Version> means tagging the mover alike.
        Assert.Equal(Version, MoverImageRef.Split(MoverImageRef.DefaultImage).Tag);
    }
}
