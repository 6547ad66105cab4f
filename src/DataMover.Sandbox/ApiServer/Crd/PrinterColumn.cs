namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>One additionalPrinterColumns entry (or a built-in kind's column).</summary>
internal sealed record PrinterColumn(string Name, string Type, string Format, string Description, int Priority, string JsonPath);
