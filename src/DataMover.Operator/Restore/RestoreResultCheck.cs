using DataMover.Operator.Api;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Restore;

/// <summary>
/// Whether the mover's result proves the run the operator asked for (docs/mover-protocol.md): a restore-mode (or
/// inspect-mode) success for the recorded path, and for the recorded folder unless "latest" was asked for.
/// </summary>
internal static class RestoreResultCheck
{
    /// <summary>Why <paramref name="result"/> is not proof of the restore <paramref name="status"/> records, or null when it is.</summary>
    public static string? WhyNot(MoverResult? result, DataMoverRestoreStatus status) => WhyNot(result, status, RestoreJobBuilder.RestoreMode);

    /// <summary>Why <paramref name="result"/> is not proof of a <paramref name="mode"/> run for what <paramref name="status"/> records, or null when it is.</summary>
    public static string? WhyNot(MoverResult? result, DataMoverRestoreStatus status, string mode)
    {
        if (result is null)
        {
            return "the termination message is not a DataMoverResult with outcome Succeeded";
        }

        if (result.Mode != mode)
        {
            return $"the result's mode is \"{result.Mode}\", not \"{mode}\"";
        }

        if ((result.Path ?? "") != (status.Path ?? ""))
        {
            return $"the result's path \"{result.Path}\" is not the requested \"{status.Path}\"";
        }

        if (status.RequestedFolder == RestorePath.Latest)
        {
            return result.Folder is null || result.Folder == RestorePath.Latest ? "the result does not say which folder \"latest\" resolved to" : null;
        }

        return (result.Folder ?? "") != (status.RequestedFolder ?? "")
            ? $"the result's folder \"{result.Folder}\" is not the requested \"{status.RequestedFolder}\""
            : null;
    }
}
