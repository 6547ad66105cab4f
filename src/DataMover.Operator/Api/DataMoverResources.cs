using DataMover.Kube.Client;

namespace DataMover.Operator.Api;

/// <summary>The operator's custom resource types.</summary>
internal static class DataMoverResources
{
    public const string Group = "datamover.a-cup-of.coffee";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Group + "/" + Version;

    public static ResourceType<DataMover> DataMovers { get; } =
        new(Group, Version, "datamovers", "DataMover", true, OperatorJsonContext.Default.DataMover, OperatorJsonContext.Default.KubeListDataMover);

    public static ResourceType<DataMoverSchedule> Schedules { get; } =
        new(Group, Version, "datamoverschedules", "DataMoverSchedule", true, OperatorJsonContext.Default.DataMoverSchedule, OperatorJsonContext.Default.KubeListDataMoverSchedule);

    public static ResourceType<DataMoverRestore> Restores { get; } =
        new(Group, Version, "datamoverrestores", "DataMoverRestore", true, OperatorJsonContext.Default.DataMoverRestore, OperatorJsonContext.Default.KubeListDataMoverRestore);
}
