using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Operator.Controllers;

/// <summary>
/// Create-or-adopt and guarded delete for one kind a DataMover or DataMoverRestore owns (a clone, a mover Job), read
/// from the informer and written through the API. Written once for every kind, so each kind gets the same crash safety.
/// </summary>
internal sealed class OwnedObjects<T>(ResourceClient<T> client, Informer<T> cache, string component) where T : KubeObject
{
    /// <summary>
    /// How long a create or delete already sent stands for the object while the informer catches up; past it, the
    /// cache decides again (an object deleted by someone else in the meantime is created again).
    /// </summary>
    private static readonly TimeSpan DeleteSentFor = TimeSpan.FromSeconds(30);

    private readonly RecentDeletes _deletesSent = new(DeleteSentFor);
    private readonly RecentCreates<T> _created = new(DeleteSentFor);

    public string Component => component;

    public T? Get(string ns, string name) => cache.Get(ns, name);

    /// <summary>Read through to the API server, for when the informer may not have seen a recent create yet.</summary>
    public Task<T?> GetLiveAsync(string ns, string name, CancellationToken cancellationToken) => client.TryGetAsync(ns, name, cancellationToken);

    /// <summary>
    /// The object named <paramref name="name"/> when <paramref name="owner"/> controls it, creating it from
    /// <paramref name="build"/> when absent; or what stands in the way.
    /// </summary>
    public async Task<Ensured<T>> EnsureAsync(KubeObject owner, string name, Func<string, T> build, CancellationToken cancellationToken)
    {
        var ns = owner.Metadata.Namespace!;
        var existing = cache.Get(ns, name);
        if (existing is null && _created.Find(ObjectKey.Of(ns, name)) is { } recent)
        {
            // Created moments ago and not in the informer yet: sending the create again would only earn a 409.
            return new(recent, EnsureOutcome.Existing);
        }

        if (existing is not null)
        {
            _created.Forget(ObjectKey.Of(ns, name));
            return DataMoverLabels.IsControlledBy(existing, owner) ? new(existing, EnsureOutcome.Existing) : new(existing, EnsureOutcome.NameTaken);
        }

        // One of ours under another name (its name was recorded by a status write this copy of the object missed).
        if (OwnedBy(owner).FirstOrDefault(o => o.Metadata.Name != name) is { } elsewhere)
        {
            return new(elsewhere, EnsureOutcome.OwnedElsewhere);
        }

        try
        {
            var created = await client.CreateAsync(build(name), cancellationToken);
            _created.Add(created);
            return new(created, EnsureOutcome.Created);
        }
        catch (KubeApiException e) when (e.IsAlreadyExists)
        {
            // Our own create before a restart (the informer had not caught up), or a name race with someone else.
            var live = await client.TryGetAsync(ns, name, cancellationToken);
            if (live is null)
            {
                throw;
            }

            return DataMoverLabels.IsControlledBy(live, owner) ? new(live, EnsureOutcome.Existing) : new(live, EnsureOutcome.NameTaken);
        }
    }

    /// <summary>
    /// Deletes <paramref name="obj"/> if it is still the same object (uid precondition). A conflict on the object we
    /// meant (an injected or transient 409) propagates so the loop retries; one on a replacement means ours is gone.
    /// </summary>
    public async Task DeleteAsync(T obj, string propagation, CancellationToken cancellationToken)
    {
        var ns = obj.Metadata.Namespace;
        var name = obj.Metadata.Name!;
        if (obj.Metadata.Uid is { } uid && _deletesSent.Contains(uid))
        {
            // Sent moments ago and accepted: the informer has not shown the deletion yet, asking again changes nothing.
            return;
        }

        try
        {
            await client.DeleteAsync(ns, name, new DeleteOptions { PropagationPolicy = propagation, Preconditions = new Preconditions { Uid = obj.Metadata.Uid } }, cancellationToken);
            _deletesSent.Add(obj.Metadata.Uid);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            // Already gone.
        }
        catch (KubeApiException e) when (e.IsConflict)
        {
            var live = await client.TryGetAsync(ns, name, cancellationToken);
            if (live?.Metadata.Uid == obj.Metadata.Uid)
            {
                throw;
            }
        }
    }

    /// <summary>Objects of this kind that <paramref name="owner"/> controls and that are not being deleted.</summary>
    public IEnumerable<T> OwnedBy(KubeObject owner) =>
        cache.ByIndex(IndexFuncs.ControllerUid, owner.Metadata.Uid!)
            .Where(o => o.Metadata.Label(DataMoverLabels.Component) == component && o.Metadata.DeletionTimestamp is null);
}

internal enum EnsureOutcome
{
    Existing,
    Created,
    /// <summary>An object the owner does not control has the name.</summary>
    NameTaken,
    /// <summary>The owner controls one under another name.</summary>
    OwnedElsewhere,
}

internal readonly record struct Ensured<T>(T Object, EnsureOutcome Outcome) where T : KubeObject;
