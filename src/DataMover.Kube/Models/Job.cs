namespace DataMover.Kube.Models;

/// <summary>batch/v1 Job.</summary>
public sealed record Job : KubeObject
{
    public JobSpec? Spec { get; init; }
    public JobStatus? Status { get; init; }
}

/// <summary>batch/v1 JobSpec.</summary>
public sealed record JobSpec : KubeModel
{
    public PodTemplateSpec Template { get; init; } = new();
    public int? Parallelism { get; init; }
    public int? Completions { get; init; }
    public int? BackoffLimit { get; init; }
    public long? ActiveDeadlineSeconds { get; init; }
    public int? TtlSecondsAfterFinished { get; init; }
    public LabelSelector? Selector { get; init; }
    public bool? ManualSelector { get; init; }
    public bool? Suspend { get; init; }
    public string? CompletionMode { get; init; }
    public PodFailurePolicy? PodFailurePolicy { get; init; }
}

/// <summary>batch/v1 PodFailurePolicy: rules checked in order against each failed pod.</summary>
public sealed record PodFailurePolicy : KubeModel
{
    public IReadOnlyList<PodFailurePolicyRule>? Rules { get; init; }
}

/// <summary>batch/v1 PodFailurePolicyRule; <see cref="Action"/> is FailJob, FailIndex, Ignore or Count.</summary>
public sealed record PodFailurePolicyRule : KubeModel
{
    public string Action { get; init; } = "";
    public PodFailurePolicyOnExitCodesRequirement? OnExitCodes { get; init; }
    public IReadOnlyList<PodFailurePolicyOnPodConditionsPattern>? OnPodConditions { get; init; }
}

/// <summary>batch/v1 PodFailurePolicyOnExitCodesRequirement; <see cref="Operator"/> is In or NotIn.</summary>
public sealed record PodFailurePolicyOnExitCodesRequirement : KubeModel
{
    public string? ContainerName { get; init; }
    public string Operator { get; init; } = "";
    public IReadOnlyList<int> Values { get; init; } = [];
}

/// <summary>batch/v1 PodFailurePolicyOnPodConditionsPattern.</summary>
public sealed record PodFailurePolicyOnPodConditionsPattern : KubeModel
{
    public string Type { get; init; } = "";
    public string Status { get; init; } = "";
}

/// <summary>batch/v1 JobStatus.</summary>
public sealed record JobStatus : KubeModel
{
    public int? Active { get; init; }
    public int? Succeeded { get; init; }
    public int? Failed { get; init; }
    public int? Ready { get; init; }
    public int? Terminating { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? CompletionTime { get; init; }
    public IReadOnlyList<JobCondition>? Conditions { get; init; }
}

/// <summary>batch/v1 JobCondition.</summary>
public sealed record JobCondition : KubeModel
{
    public string Type { get; init; } = "";
    public string Status { get; init; } = "";
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public DateTimeOffset? LastProbeTime { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
}
