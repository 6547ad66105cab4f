namespace DataMover.Kube.Models;

/// <summary>authorization.k8s.io/v1 SubjectAccessReview: asks the API server whether a user may do something.</summary>
public sealed record SubjectAccessReview : KubeObject
{
    public SubjectAccessReviewSpec? Spec { get; init; }
    public SubjectAccessReviewStatus? Status { get; init; }
}

public sealed record SubjectAccessReviewSpec : KubeModel
{
    public string? User { get; init; }
    public string? Uid { get; init; }
    public IReadOnlyList<string>? Groups { get; init; }
    public NonResourceAttributes? NonResourceAttributes { get; init; }
}

/// <summary>A request to a path that is not a resource, such as <c>get /metrics</c>.</summary>
public sealed record NonResourceAttributes : KubeModel
{
    public string? Path { get; init; }
    public string? Verb { get; init; }
}

public sealed record SubjectAccessReviewStatus : KubeModel
{
    public bool Allowed { get; init; }
    public bool? Denied { get; init; }
    public string? Reason { get; init; }
    public string? EvaluationError { get; init; }
}
