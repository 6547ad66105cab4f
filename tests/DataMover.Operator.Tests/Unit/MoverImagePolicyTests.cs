using DataMover.Operator.Api;
using DataMover.Operator.Security;

namespace DataMover.Operator.Tests.Unit;

public sealed class MoverImagePolicyTests
{
    private const string Default = "ghcr.io/datamover-operator/rclone-mover:0.1.0";

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "0.2.0")]
    [InlineData("ghcr.io/datamover-operator/rclone-mover", "sha256:abc")]
    public void ByDefaultOnlyTheConfiguredRepositoryAnyTag(string? repository, string? tag) =>
        Assert.Null(new MoverImagePolicy(Default, []).WhyRefused(new MoverImage { Repository = repository, Tag = tag }));

    [Theory]
    [InlineData("busybox")]
    [InlineData("docker.io/library/busybox")]
    [InlineData("ghcr.io/datamover-operator/rclone-mover-evil")]
    [InlineData("evil.io/datamover-operator/rclone-mover")]
    [InlineData("ghcr.io.evil.io/datamover-operator/rclone-mover")]
    public void AnythingElseIsRefusedWithHowToWidenIt(string repository)
    {
        var why = new MoverImagePolicy(Default, []).WhyRefused(new MoverImage { Repository = repository });
        Assert.NotNull(why);
        Assert.Contains("--allowed-mover-images", why, StringComparison.Ordinal);
        Assert.Contains("DATAMOVER_ALLOWED_MOVER_IMAGES", why, StringComparison.Ordinal);
        Assert.Contains("ghcr.io/datamover-operator/rclone-mover", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ghcr.io/acme/mover", true)]
    [InlineData("ghcr.io/acme/team/mover", true)]
    [InlineData("ghcr.io/acmeco/mover", false)]
    [InlineData("busybox", true)]
    [InlineData("library/busybox", true)]
    [InlineData("docker.io/library/busybox", true)]
    [InlineData("quay.io/busybox", false)]
    [InlineData("ghcr.io/datamover-operator/rclone-mover", false)]
    public void AnAdministratorsPatternsReplaceTheDefault(string repository, bool allowed)
    {
        var policy = new MoverImagePolicy(Default, MoverImagePolicy.ParseList(" ghcr.io/acme/* ,busybox,"));
        Assert.Equal(allowed, policy.WhyRefused(new MoverImage { Repository = repository, Tag = "1" }) is null);
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox")]
    [InlineData("acme/mover", "docker.io/acme/mover")]
    [InlineData("localhost/mover", "localhost/mover")]
    [InlineData("Registry.Local:5000/mover", "registry.local:5000/mover")]
    public void RepositoriesAreComparedInCanonicalForm(string repository, string canonical) =>
        Assert.Equal(canonical, MoverImagePolicy.Canonical(repository));
}
