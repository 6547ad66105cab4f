using System.Globalization;
using DataMover.Kube.Models;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Restore;

/// <summary>
/// The size of a new target PVC from an inspect result: the backed-up PVC's capacity when the manifest records it
/// (a restore then gets the room the application had), else the backup's bytes with headroom for the file system's
/// own overhead and small-file rounding, in whole Gi.
/// </summary>
internal static class RestoreInspection
{
    /// <summary>Added to the backup's bytes when the manifest records no capacity (docs/restore.md).</summary>
    public const decimal Headroom = 0.2m;

    private const decimal Gi = 1024m * 1024m * 1024m;

    /// <summary>The size and where it came from, or null and why the result gives none.</summary>
    public static (string? Size, string? Basis, string? Problem) SizeOf(MoverResult result)
    {
        if (result.SourceCapacity is { Length: > 0 } capacity)
        {
            return Quantity.TryParse(capacity, out var bytes) && bytes > 0
                ? (capacity, $"the backed-up PVC's capacity {capacity} recorded in the manifest", null)
                : (null, null, $"the manifest's sourceCapacity \"{PodDiagnostics.Quote(capacity)}\" is not a positive quantity");
        }

        if (result.Bytes is not { } size || size < 0)
        {
            return (null, null, "the result has neither sourceCapacity nor bytes");
        }

        var gibibytes = Math.Max(1m, Math.Ceiling(size * (1 + Headroom) / Gi));
        var text = gibibytes.ToString("0", CultureInfo.InvariantCulture) + "Gi";
        return (text, $"the backup's {size.ToString(CultureInfo.InvariantCulture)} bytes plus {(Headroom * 100).ToString("0", CultureInfo.InvariantCulture)}% rounded up to whole Gi (the manifest records no capacity)", null);
    }
}
