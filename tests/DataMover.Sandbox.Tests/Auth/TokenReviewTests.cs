using System.Net;

namespace DataMover.Sandbox.Tests.Auth;

/// <summary>authentication.k8s.io/v1 TokenReview as kube-apiserver answers it (what kube-rbac-proxy and secure metrics endpoints call).</summary>
public sealed class TokenReviewTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _fx;

    public TokenReviewTests(SandboxFixture fx) => _fx = fx;

    [Fact]
    public async Task A_valid_token_is_answered_with_its_user_and_an_unknown_one_is_answered_not_refused()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "tok-review", "scraper");
        var known = await _fx.Api.PostAsync("/apis/authentication.k8s.io/v1/tokenreviews", ApiClient.Obj($$$"""
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"{{{sa.Token}}}","audiences":["https://kubernetes.default.svc.cluster.local"]}}
            """));
        Assert.Equal(HttpStatusCode.Created, known.Status);
        Assert.Equal("TokenReview", known.Str("kind"));
        Assert.Equal("true", known.Json!["status"]!["authenticated"]!.ToJsonString());
        Assert.Equal(sa.UserName, known.Str("status", "user", "username"));
        Assert.Contains("system:serviceaccounts:tok-review", known.Json["status"]!["user"]!["groups"]!.AsArray().Select(g => g!.ToString()));
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], known.Json["status"]!["audiences"]!.AsArray().Select(a => a!.ToString()));

        var unknown = await _fx.Api.PostAsync("/apis/authentication.k8s.io/v1/tokenreviews", ApiClient.Obj("""
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"not-a-token"}}
            """));
        Assert.Equal(HttpStatusCode.Created, unknown.Status);
        Assert.Null(unknown.Json!["status"]!["authenticated"]);
        Assert.Equal("{}", unknown.Json["status"]!["user"]!.ToJsonString());

        var empty = await _fx.Api.PostAsync("/apis/authentication.k8s.io/v1/tokenreviews", ApiClient.Obj("""{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.Status);
    }

    [Fact]
    public async Task Creating_a_token_review_needs_rbac()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "tok-review-rbac", "nobody");
        var refused = await sa.Api.PostAsync("/apis/authentication.k8s.io/v1/tokenreviews", ApiClient.Obj($$$"""
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"{{{sa.Token}}}"}}
            """));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        var (exit, _, _) = await sa.Kubectl.RunAsync("auth", "can-i", "create", "tokenreviews.authentication.k8s.io");
        Assert.Equal(1, exit);
    }
}
