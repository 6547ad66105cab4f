using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>batch/v1 Job: defaults, generated selector and template labels, immutable template/selector.</summary>
internal sealed class JobStrategy : ResourceStrategy
{
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";

    public override void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        obj["status"] = new JsonObject();
        var spec = JsonPaths.Ensure(obj, "spec");
        var name = JsonPaths.Name(obj);
        var uid = JsonPaths.Uid(obj);
        if (JsonPaths.Bool(spec, "manualSelector") != true)
        {
            // generateSelector(): the selector pins this job's uid; template labels carry legacy and new keys.
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [ControllerUidLabel] = uid } };
            var labels = JsonPaths.Ensure(JsonPaths.Ensure(JsonPaths.Ensure(spec, "template"), "metadata"), "labels");
            labels[ControllerUidLabel] = uid;
            labels[JobNameLabel] = name;
            labels["controller-uid"] = uid;
            labels["job-name"] = name;
        }

        ApplyDefaults(spec);
    }

    public override void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old) =>
        ApplyDefaults(JsonPaths.Ensure(obj, "spec"));

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonPaths.Obj(obj, "spec");
        var template = JsonPaths.Obj(spec, "template");
        ObjectMetaValidator.ValidateLabels(JsonPaths.Node(template, "metadata", "labels"), "spec.template.labels", errors);
        var podSpec = JsonPaths.Obj(template, "spec");
        PodSpecDefaults.Validate(podSpec, "spec.template.spec", errors, template: false);
        var restart = JsonPaths.Str(podSpec, "restartPolicy");
        if (restart is not ("OnFailure" or "Never"))
        {
            errors.Add(FieldError.Required("spec.template.spec.restartPolicy", "valid values: \"OnFailure\", \"Never\""));
        }

        foreach (var field in new[] { "parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished" })
        {
            if (JsonPaths.Long(spec, field) is < 0)
            {
                errors.Add(FieldError.Invalid($"spec.{field}", spec![field], "must be greater than or equal to 0"));
            }
        }

        if (spec is not null)
        {
            PodFailurePolicyValidator.Validate(spec, errors);
        }

        var mode = JsonPaths.Str(spec, "completionMode");
        if (mode is not null and not ("NonIndexed" or "Indexed"))
        {
            errors.Add(FieldError.NotSupported("spec.completionMode", JsonValue.Create(mode), ["NonIndexed", "Indexed"]));
        }
    }

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        Immutable(obj, old, "spec.selector", errors, "spec", "selector");
        Immutable(obj, old, "spec.template", errors, "spec", "template");
        Immutable(obj, old, "spec.completionMode", errors, "spec", "completionMode");
    }

    private static void ApplyDefaults(JsonObject spec)
    {
        var completions = spec["completions"];
        var parallelism = spec["parallelism"];
        if (completions is null && parallelism is null)
        {
            spec["completions"] = 1;
            spec["parallelism"] = 1;
        }
        else if (parallelism is null)
        {
            spec["parallelism"] = 1;
        }

        JsonPaths.SetDefault(spec, "backoffLimit", 6);
        JsonPaths.SetDefault(spec, "completionMode", "NonIndexed");
        JsonPaths.SetDefault(spec, "suspend", false);
        // SetDefaults_Job: with a podFailurePolicy only Failed pods are replaced.
        JsonPaths.SetDefault(spec, "podReplacementPolicy", spec["podFailurePolicy"] is null ? "TerminatingOrFailed" : "Failed");

        if (JsonPaths.Obj(spec, "template", "spec") is { } podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }

        if (JsonPaths.Obj(spec, "template") is { } template)
        {
            JsonPaths.SetDefault(JsonPaths.Ensure(template, "metadata"), "creationTimestamp", null!);
        }
    }
}
