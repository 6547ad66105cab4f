using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Node;

/// <summary>
/// The VolumeSnapshotClass a snapshot is taken with, chosen as the external-snapshotter's
/// checkAndUpdateSnapshotClass does: the named class, or the one default class of the source's driver. The
/// failures carry the real controller's event reason and message, which also becomes the snapshot's status.error.
/// </summary>
internal sealed record SnapshotClassChoice(string? Name, string DeletionPolicy, string? FailureReason, string? FailureMessage)
{
    public const string DefaultAnnotation = "snapshot.storage.kubernetes.io/is-default-class";

    public bool Failed => FailureReason is not null;

    public static async Task<SnapshotClassChoice> ChooseAsync(KubeClient client, string? className, string driver, CancellationToken cancellationToken)
    {
        var classes = client.Resource(SnapshotController.VolumeSnapshotClasses);
        if (className is { Length: > 0 })
        {
            var named = await classes.TryGetAsync(null, className, cancellationToken);
            return named is null
                ? new SnapshotClassChoice(null, "Delete", "GetSnapshotClassFailed",
                    $"Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io \"{className}\" not found")
                : new SnapshotClassChoice(className, PolicyOf(named), null, null);
        }

        var defaults = (await classes.ListAsync(null, cancellationToken: cancellationToken)).Items
            .Where(c => StringField(c, "driver") == driver && c.Metadata.Annotations?.GetValueOrDefault(DefaultAnnotation) == "true")
            .ToList();
        return defaults.Count switch
        {
            1 => new SnapshotClassChoice(defaults[0].Metadata.Name, PolicyOf(defaults[0]), null, null),
            0 => new SnapshotClassChoice(null, "Delete", "SetDefaultSnapshotClassFailed", "Failed to set default snapshot class with error cannot find default snapshot class"),
            var n => new SnapshotClassChoice(null, "Delete", "SetDefaultSnapshotClassFailed", $"Failed to set default snapshot class with error {n} default snapshot classes were found"),
        };
    }

    private static string PolicyOf(GenericObject snapshotClass) => StringField(snapshotClass, "deletionPolicy") ?? "Delete";

    private static string? StringField(GenericObject obj, string field) =>
        obj.Extra?.TryGetValue(field, out var value) == true && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
