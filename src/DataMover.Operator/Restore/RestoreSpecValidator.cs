using System.Text.RegularExpressions;
using DataMover.Kube.Models;
using DataMover.Operator.Api;

namespace DataMover.Operator.Restore;

/// <summary>
/// The checks the CRD's schema and CEL rules make, made again by the operator: a CRD installed from an older
/// manifest, or a server that skips CEL, must still not get an invalid restore running.
/// </summary>
internal static partial class RestoreSpecValidator
{
    /// <summary>Every problem of <paramref name="spec"/>, each naming its field; empty when it can be acted on.</summary>
    public static IReadOnlyList<string> Problems(DataMoverRestoreSpec spec)
    {
        var problems = new List<string>();
        var source = spec.Source;
        var fromDataMover = !string.IsNullOrEmpty(source?.FromDataMover);
        var hasPath = source?.Path is not null;
        if (fromDataMover == hasPath)
        {
            problems.Add("spec.source: set exactly one of fromDataMover, or secretName and path");
        }
        else if (!fromDataMover && string.IsNullOrEmpty(source!.SecretName))
        {
            problems.Add("spec.source.secretName is required with spec.source.path");
        }

        if (fromDataMover && !IsName(source!.FromDataMover!))
        {
            problems.Add($"spec.source.fromDataMover: \"{source.FromDataMover}\" is not a valid object name");
        }

        if (!string.IsNullOrEmpty(source?.SecretName) && !IsName(source.SecretName))
        {
            problems.Add($"spec.source.secretName: \"{source.SecretName}\" is not a valid object name");
        }

        if (hasPath && RestorePath.WhyNot(source!.Path!) is { } why)
        {
            problems.Add($"spec.source.path {why}");
        }

        var target = spec.Target;
        var hasName = !string.IsNullOrEmpty(target?.PvcName);
        if (hasName == (target?.Pvc is not null))
        {
            problems.Add("spec.target: set exactly one of pvcName and pvc");
        }

        if (hasName && !IsName(target!.PvcName!))
        {
            problems.Add($"spec.target.pvcName: \"{target.PvcName}\" is not a valid object name");
        }

        if (target?.Pvc is { } pvc)
        {
            if (pvc.Name is { } name && !IsName(name))
            {
                problems.Add($"spec.target.pvc.name: \"{name}\" is not a valid object name");
            }

            // No size is fine: fromDataMover takes the source PVC's, secretName + path the backup's (an inspect Job).
            if (pvc.Size is { } size && (!Quantity.TryParse(size, out var bytes) || bytes <= 0))
            {
                problems.Add($"spec.target.pvc.size: \"{size}\" is not a positive quantity (examples: 10Gi, 500Mi)");
            }
        }

        return problems;
    }

    private static bool IsName(string name) => name.Length <= 253 && Subdomain().IsMatch(name);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();
}
