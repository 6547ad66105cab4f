using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>coordination.k8s.io Leases: the numeric checks leader election relies on.</summary>
internal sealed class LeaseStrategy : ResourceStrategy
{
    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        if (JsonPaths.Long(obj, "spec", "leaseDurationSeconds") is <= 0)
        {
            errors.Add(FieldError.Invalid("spec.leaseDurationSeconds", JsonPaths.Node(obj, "spec", "leaseDurationSeconds"), "must be greater than 0"));
        }

        if (JsonPaths.Long(obj, "spec", "leaseTransitions") is < 0)
        {
            errors.Add(FieldError.Invalid("spec.leaseTransitions", JsonPaths.Node(obj, "spec", "leaseTransitions"), "must be greater than or equal to 0"));
        }
    }
}
