using System.Text.RegularExpressions;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Folders;

public sealed class BucketPathTests
{
    private static readonly string[] ValidPaths = ["team-a", "team-a/web", "a.b_c-D/9", "...", "x/.../y", "v1.2", new string('a', 256)];

    public static TheoryData<string> Valid => new(ValidPaths);

    public static TheoryData<string, string> Invalid => new()
    {
        { "/team-a", "must not start or end with \"/\"" },
        { "team-a/", "must not start or end with \"/\"" },
        { "/", "must not start or end with \"/\"" },
        { "team-a//web", "empty segment" },
        { "team-a/../web", "\"..\" segment" },
        { "..", "\"..\" segment" },
        { "./team-a", "\".\" segment" },
        { "team a", "contains 'U+0020'" },
        { "team\\a", "contains '\\'" },
        { "tëam", "contains 'ë'" },
        { new string('a', 257), "257 characters long; at most 256" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void AcceptsRelativeSegments(string path) => Assert.Null(BucketPath.Problem(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void UnsetIsTheBucketRoot(string? path)
    {
        Assert.Null(BucketPath.Problem(path));
        Assert.Equal("", BucketPath.Normalize(path));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void RefusesWithAReason(string path, string reason)
    {
        var problem = BucketPath.Problem(path);
        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.StartsWith("spec.path", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy/crds/datamovers.yaml")]
    [InlineData("deploy/crds/datamoverschedules.yaml")]
    public void TheCrdSchemaCarriesTheSameRule(string crd)
    {
        var text = File.ReadAllText(Sandbox.SandboxFixture.RepoFile(crd));
        var block = Regex.Match(text, @"\n(\s+)path:\n\s+type: string\n\s+maxLength: (\d+)\n\s+pattern: '([^']+)'");
        Assert.True(block.Success, "no path schema in " + crd);
        Assert.Equal(BucketPath.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture), block.Groups[2].Value);
        Assert.Equal(BucketPath.Pattern, block.Groups[3].Value);
        var pattern = new Regex(block.Groups[3].Value);
        foreach (var valid in ValidPaths)
        {
            Assert.Matches(pattern, valid);
        }

        foreach (var invalid in Invalid)
        {
            var path = (string)invalid[0];
            if (path.Length <= BucketPath.MaxLength)
            {
                Assert.DoesNotMatch(pattern, path);
            }
        }
    }

    [Fact]
    public void MessagesNamePathAndFolder()
    {
        var status = new DataMoverStatus { AcceptedSpec = new DataMoverSpec { Path = "team-a" }, DestinationPrefix = "2026-11-30-085704" };
        Assert.Equal("team-a/2026-11-30-085704/", StatusTransitions.FolderText(status));
        Assert.Equal("team-a/", StatusTransitions.FolderText(status with { DestinationPrefix = "" }));
        Assert.Equal("/", StatusTransitions.FolderText(new DataMoverStatus { DestinationPrefix = "" }));
        Assert.Equal("2026-11-30-085704/", StatusTransitions.FolderText(new DataMoverStatus { DestinationPrefix = "2026-11-30-085704" }));
    }
}
