using DataMover.Kube.Client;

namespace DataMover.Operator.Hosting;

/// <summary>What an additional controller gets from the host: the shared client, logging, clock and scope.</summary>
public sealed record OperatorContext(KubeClient Client, ILoggerFactory Loggers, TimeProvider Time, string? Namespace, string MoverImage);
