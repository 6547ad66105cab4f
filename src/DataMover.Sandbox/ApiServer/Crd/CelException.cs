namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>A CEL rule the subset cannot parse, or a runtime error (missing key, type mismatch).</summary>
internal sealed class CelException(string message) : Exception(message);
