using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Unit;

public sealed class MoverResultTests
{
    private const string Good = """{"kind":"DataMoverResult","formatVersion":1,"mode":"backup","outcome":"Succeeded","path":"team-a","folder":"2026-11-30-085704","destination":"s3://bucket/team-a/2026-11-30-085704/","files":3,"bytes":42,"verified":"hash","ignoredSecretKeys":["FOO"]}""";

    [Fact]
    public void AResultForThisBackupIsProof()
    {
        var (result, problem) = MoverResult.Verify(Good, "backup", "team-a", "2026-11-30-085704");
        Assert.Null(problem);
        Assert.Equal("s3://bucket/team-a/2026-11-30-085704/", result!.Destination);
        Assert.Equal(["FOO"], result.IgnoredSecretKeys!);
    }

    [Theory]
    [InlineData(null, "team-a", "2026-11-30-085704", "without a termination message")]
    [InlineData("backup to s3:bucket/x complete", "team-a", "2026-11-30-085704", "not a DataMoverResult")]
    [InlineData("{\"kind\":\"DataMoverResult\",\"outcome\":\"Failed\",\"mode\":\"backup\"}", "team-a", "2026-11-30-085704", "not a DataMoverResult")]
    [InlineData("{\"kind\":\"DataMoverResult\",\"outcome\":\"Succeeded\",\"mode\":\"restore\"}", "team-a", "2026-11-30-085704", "mode \"restore\"")]
    [InlineData(Good, "team-b", "2026-11-30-085704", "not the recorded path")]
    [InlineData(Good, "team-a", "", "not the recorded path")]
    public void AnythingElseIsNot(string? message, string path, string folder, string problem)
    {
        var (result, why) = MoverResult.Verify(message, "backup", path, folder);
        Assert.Null(result);
        Assert.Contains(problem, why, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMoversTextIsQuotedWithoutCredentials()
    {
        var (_, why) = MoverResult.Verify("done AWS_SECRET_ACCESS_KEY=canary-abc", "backup", "", "");
        Assert.DoesNotContain("canary", why, StringComparison.Ordinal);
    }
}
