using DataMover.Kube.Models;

namespace DataMover.Kube.Runtime;

/// <summary>
/// The informer's store: objects by namespace/name key plus secondary indexes. Objects are immutable records,
/// handed out as they are; callers build modified copies with <c>with</c>.
/// </summary>
internal sealed class InformerCache<T> where T : KubeObject
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, T> _items = [];
    private readonly Dictionary<string, (Func<T, IEnumerable<string>> Func, Dictionary<string, HashSet<string>> Values)> _indexes = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public void AddIndex(string name, Func<T, IEnumerable<string>> func)
    {
        lock (_gate)
        {
            var values = new Dictionary<string, HashSet<string>>();
            _indexes[name] = (func, values);
            foreach (var (key, item) in _items)
            {
                IndexItem(func, values, key, item);
            }
        }
    }

    public T? Get(string key)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public IReadOnlyList<T> List(string? ns)
    {
        lock (_gate)
        {
            return ns is null
                ? [.. _items.Values]
                : [.. _items.Values.Where(i => i.Metadata.Namespace == ns)];
        }
    }

    public IReadOnlyList<string> Keys()
    {
        lock (_gate)
        {
            return [.. _items.Keys];
        }
    }

    public IReadOnlyList<T> ByIndex(string index, string value)
    {
        lock (_gate)
        {
            if (!_indexes.TryGetValue(index, out var idx))
            {
                throw new InvalidOperationException($"no index named '{index}'");
            }

            return idx.Values.TryGetValue(value, out var keys) ? [.. keys.Select(k => _items[k])] : [];
        }
    }

    /// <summary>Stores <paramref name="item"/>; returns the previous version, if any.</summary>
    public T? Upsert(T item)
    {
        var key = item.Key();
        lock (_gate)
        {
            var old = _items.GetValueOrDefault(key);
            if (old is not null)
            {
                Unindex(key, old);
            }

            _items[key] = item;
            foreach (var (func, values) in _indexes.Values)
            {
                IndexItem(func, values, key, item);
            }

            return old;
        }
    }

    /// <summary>Removes the object with <paramref name="key"/>; returns it, if it was there.</summary>
    public T? Remove(string key)
    {
        lock (_gate)
        {
            if (!_items.Remove(key, out var old))
            {
                return null;
            }

            Unindex(key, old);
            return old;
        }
    }

    private void Unindex(string key, T item)
    {
        foreach (var (func, values) in _indexes.Values)
        {
            foreach (var v in func(item))
            {
                if (values.TryGetValue(v, out var set))
                {
                    set.Remove(key);
                    if (set.Count == 0)
                    {
                        values.Remove(v);
                    }
                }
            }
        }
    }

    private static void IndexItem(Func<T, IEnumerable<string>> func, Dictionary<string, HashSet<string>> values, string key, T item)
    {
        foreach (var v in func(item))
        {
            if (!values.TryGetValue(v, out var set))
            {
                values[v] = set = [];
            }

            set.Add(key);
        }
    }
}
