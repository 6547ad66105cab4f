using System.Collections;
using DataMover.Kube.Models;

namespace DataMover.Kube.Runtime;

/// <summary>
/// The logging scope of one reconcile, as controller-runtime gives each: the controller, the object's namespace and
/// name, and a fresh reconcile id, so every line a reconcile writes can be told apart from a concurrent one's. Scope
/// state is a list of pairs so that structured formatters (the JSON console formatter) write each as a field.
/// </summary>
internal sealed class ReconcileScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _fields;

    public ReconcileScope(string controller, string key)
    {
        var (ns, name) = ObjectKey.Split(key);
        Controller = controller;
        Namespace = ns ?? "";
        Name = name;
        ReconcileId = Guid.NewGuid().ToString();
        _fields =
        [
            new("controller", Controller),
            new("namespace", Namespace),
            new("name", Name),
            new("reconcileID", ReconcileId),
        ];
    }

    public string Controller { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string ReconcileId { get; }

    public int Count => _fields.Length;

    public KeyValuePair<string, object?> this[int index] => _fields[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>What the text formatter prints after "=>".</summary>
    public override string ToString() =>
        $"{Controller} {ObjectKey.Of(Namespace, Name)} reconcileID={ReconcileId}";
}
