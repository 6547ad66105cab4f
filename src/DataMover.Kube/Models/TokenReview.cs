namespace DataMover.Kube.Models;

/// <summary>authentication.k8s.io/v1 TokenReview: asks the API server who a bearer token belongs to.</summary>
public sealed record TokenReview : KubeObject
{
    public TokenReviewSpec? Spec { get; init; }
    public TokenReviewStatus? Status { get; init; }
}

public sealed record TokenReviewSpec : KubeModel
{
    public string? Token { get; init; }
    public IReadOnlyList<string>? Audiences { get; init; }
}

public sealed record TokenReviewStatus : KubeModel
{
    public bool? Authenticated { get; init; }
    public ReviewUserInfo? User { get; init; }
    public IReadOnlyList<string>? Audiences { get; init; }
    public string? Error { get; init; }
}

/// <summary>The user a token authenticates as (authentication.k8s.io/v1 UserInfo); its <c>extra</c> stays in <see cref="KubeModel.Extra"/>.</summary>
public sealed record ReviewUserInfo : KubeModel
{
    public string? Username { get; init; }
    public string? Uid { get; init; }
    public IReadOnlyList<string>? Groups { get; init; }
}
