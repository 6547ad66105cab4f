using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>What a CRD says about one served version: schema, columns, subresources.</summary>
internal sealed class CustomResourceVersion
{
    public required string CrdName { get; init; }

    public JsonObject? Schema { get; init; }

    public IReadOnlyList<PrinterColumn> Columns { get; init; } = [];

    public bool StatusSubresource { get; init; }

    public bool ScaleSubresource { get; init; }
}
