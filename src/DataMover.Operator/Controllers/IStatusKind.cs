using System.Text.Json.Serialization.Metadata;
using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Operator.Controllers;

/// <summary>What <see cref="StatusCommitter{T, TStatus}"/> needs to know of a kind: its status, phases and metrics.</summary>
/// <typeparam name="T">The object (DataMover, DataMoverRestore).</typeparam>
/// <typeparam name="TStatus">Its status.</typeparam>
internal interface IStatusKind<T, TStatus>
    where T : KubeObject
    where TStatus : class
{
    string Kind { get; }

    ResourceType<T> Resource { get; }

    JsonTypeInfo<TStatus> StatusJson { get; }

    TStatus? StatusOf(T obj);

    T WithStatus(T obj, TStatus status);

    /// <summary>The phase of <paramref name="status"/> ("" before the first one).</summary>
    string PhaseOf(TStatus? status);

    /// <summary>The phase as metrics and logs name it.</summary>
    string Label(string phase);

    /// <summary>Counts a phase change, once, from the write that made it.</summary>
    void CountTransition(T obj, TStatus next, string previous, string current);

    /// <summary>Counts a Warning the write reported.</summary>
    void CountWarning(string reason, string phase, string ns);
}
