using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>
/// spec.podFailurePolicy validation of kube-apiserver 1.32 (pkg/apis/batch/validation: validatePodFailurePolicy and
/// its rule, onExitCodes and onPodConditions checks), with the same paths and messages.
/// </summary>
internal static class PodFailurePolicyValidator
{
    private const int MaxRules = 20;
    private const int MaxExitCodeValues = 255;
    private const int MaxConditionPatterns = 20;
    private static readonly string[] Actions = ["Count", "FailIndex", "FailJob", "Ignore"];
    private static readonly string[] Operators = ["In", "NotIn"];
    private static readonly string[] ConditionStatuses = ["False", "True", "Unknown"];

    public static void Validate(JsonObject spec, List<FieldError> errors)
    {
        if (spec["podFailurePolicy"] is not JsonObject policy)
        {
            return;
        }

        const string path = "spec.podFailurePolicy";
        var restart = JsonPaths.Str(spec, "template", "spec", "restartPolicy");
        if (restart is "OnFailure")
        {
            errors.Add(FieldError.Invalid("spec.template.spec.restartPolicy", JsonValue.Create(restart), "only \"Never\" is supported when podFailurePolicy is specified"));
        }

        if (JsonPaths.Str(spec, "podReplacementPolicy") is { } replacement && replacement != "Failed")
        {
            errors.Add(FieldError.NotSupported("spec.podReplacementPolicy", JsonValue.Create(replacement), ["Failed"]));
        }

        var rules = JsonPaths.Arr(policy, "rules") ?? [];
        if (rules.Count > MaxRules)
        {
            errors.Add(FieldError.TooMany(path + ".rules", rules.Count, MaxRules));
        }

        var podSpec = JsonPaths.Obj(spec, "template", "spec");
        var containers = (JsonPaths.Arr(podSpec, "containers") ?? []).Concat(JsonPaths.Arr(podSpec, "initContainers") ?? [])
            .Select(c => JsonPaths.Str(c, "name")).OfType<string>().ToHashSet();
        for (var i = 0; i < rules.Count; i++)
        {
            ValidateRule(spec, rules[i] as JsonObject ?? [], $"{path}.rules[{i}]", containers, errors);
        }
    }

    private static void ValidateRule(JsonObject spec, JsonObject rule, string path, HashSet<string> containers, List<FieldError> errors)
    {
        var action = JsonPaths.Str(rule, "action");
        if (string.IsNullOrEmpty(action))
        {
            errors.Add(FieldError.Required(path + ".action", "valid values: " + Quoted(Actions)));
        }
        else if (action == "FailIndex")
        {
            if (spec["backoffLimitPerIndex"] is null)
            {
                errors.Add(FieldError.Invalid(path + ".action", JsonValue.Create(action), "requires the backoffLimitPerIndex to be set"));
            }
        }
        else if (!Actions.Contains(action))
        {
            errors.Add(FieldError.NotSupported(path + ".action", JsonValue.Create(action), Actions));
        }

        var onExitCodes = JsonPaths.Obj(rule, "onExitCodes");
        var onConditions = JsonPaths.Arr(rule, "onPodConditions") ?? [];
        if (onExitCodes is not null)
        {
            ValidateExitCodes(onExitCodes, path + ".onExitCodes", containers, errors);
        }

        if (onConditions.Count > 0)
        {
            ValidateConditions(onConditions, path + ".onPodConditions", errors);
        }

        if (onExitCodes is not null && onConditions.Count > 0)
        {
            errors.Add(FieldError.InvalidOmitted(path, "specifying both OnExitCodes and OnPodConditions is not supported"));
        }

        if (onExitCodes is null && onConditions.Count == 0)
        {
            errors.Add(FieldError.InvalidOmitted(path, "specifying one of OnExitCodes and OnPodConditions is required"));
        }
    }

    private static void ValidateExitCodes(JsonObject onExitCodes, string path, HashSet<string> containers, List<FieldError> errors)
    {
        var op = JsonPaths.Str(onExitCodes, "operator");
        if (string.IsNullOrEmpty(op))
        {
            errors.Add(FieldError.Required(path + ".operator", "valid values: " + Quoted(Operators)));
        }
        else if (!Operators.Contains(op))
        {
            errors.Add(FieldError.NotSupported(path + ".operator", JsonValue.Create(op), Operators));
        }

        if (JsonPaths.Str(onExitCodes, "containerName") is { } container && !containers.Contains(container))
        {
            errors.Add(FieldError.Invalid(path + ".containerName", JsonValue.Create(container), "must be one of the container or initContainer names in the pod template"));
        }

        var valuesNode = JsonPaths.Arr(onExitCodes, "values");
        var values = (valuesNode ?? []).Select(v => v is JsonValue jv && JsonPaths.TryLong(jv, out var l) ? l : (long?)null).ToList();
        if (values.Count == 0)
        {
            errors.Add(FieldError.InvalidRaw(path + ".values", GoInt32Slice(values), "at least one value is required"));
        }
        else if (values.Count > MaxExitCodeValues)
        {
            errors.Add(FieldError.TooMany(path + ".values", values.Count, MaxExitCodeValues));
        }

        var seen = new HashSet<long>();
        var ordered = true;
        for (var j = 0; j < values.Count; j++)
        {
            if (values[j] is not { } value)
            {
                continue;
            }

            if (op == "In" && value == 0)
            {
                errors.Add(FieldError.Invalid($"{path}.values[{j}]", JsonValue.Create(value), "must not be 0 for the In operator"));
            }

            if (!seen.Add(value))
            {
                errors.Add(FieldError.Duplicate($"{path}.values[{j}]", JsonValue.Create(value)));
            }

            if (j > 0 && values[j - 1] is { } previous && previous > value)
            {
                ordered = false;
            }
        }

        if (!ordered)
        {
            errors.Add(FieldError.InvalidRaw(path + ".values", GoInt32Slice(values), "must be ordered"));
        }
    }

    private static void ValidateConditions(JsonArray patterns, string path, List<FieldError> errors)
    {
        if (patterns.Count > MaxConditionPatterns)
        {
            errors.Add(FieldError.TooMany(path, patterns.Count, MaxConditionPatterns));
        }

        for (var j = 0; j < patterns.Count; j++)
        {
            var type = JsonPaths.Str(patterns[j], "type") ?? "";
            foreach (var message in NameValidation.QualifiedName(type))
            {
                errors.Add(FieldError.Invalid($"{path}[{j}].type", JsonValue.Create(type), message));
            }

            var status = JsonPaths.Str(patterns[j], "status");
            if (string.IsNullOrEmpty(status))
            {
                errors.Add(FieldError.Required($"{path}[{j}].status", "valid values: " + Quoted(ConditionStatuses)));
            }
            else if (!ConditionStatuses.Contains(status))
            {
                errors.Add(FieldError.NotSupported($"{path}[{j}].status", JsonValue.Create(status), ConditionStatuses));
            }
        }
    }

    // How field.Invalid prints a []int32 (%#v).
    private static string GoInt32Slice(IEnumerable<long?> values) =>
        "[]int32{" + string.Join(", ", values.Select(v => v?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "0")) + "}";

    // Go's %q of a []string: ["a" "b"].
    private static string Quoted(IEnumerable<string> values) => "[" + string.Join(" ", values.Select(v => $"\"{v}\"")) + "]";
}
