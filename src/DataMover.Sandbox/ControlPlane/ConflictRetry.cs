using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// The one way the node agent and the sandbox controllers change an existing object: apply the change to the version
/// they know, and on 409 Conflict read the newest version from the server and apply the same change to it again, as
/// client-go's <c>retry.RetryOnConflict(retry.DefaultRetry, ...)</c> around a get-mutate-update does in the kubelet
/// (node status: 5 tries, re-reading the node) and in kube-controller-manager. A writer therefore never loses to
/// someone else's unrelated change (a taint, an annotation), yet never overwrites it either.
/// </summary>
internal static partial class ConflictRetry
{
    /// <summary>client-go's DefaultRetry has 5 steps; the kubelet's nodeStatusUpdateRetry is 5 as well.</summary>
    public const int Attempts = 5;

    /// <summary>
    /// Writes <paramref name="change"/> applied to <paramref name="known"/>, re-reading and re-applying on conflict.
    /// <paramref name="change"/> returns null when the object needs no write (then nothing is written). Returns the
    /// object as stored, or null when nothing was written: no change needed, or the object is gone or was replaced by
    /// a new one of the same name (another uid). After <see cref="Attempts"/> conflicts the last one propagates, so a
    /// controller loop requeues the key with backoff, as every other failed reconcile.
    /// </summary>
    public static async Task<T?> UpdateAsync<T>(ResourceClient<T> client, T known, Func<T, T?> change, WriteTarget target, ILogger logger, CancellationToken cancellationToken)
        where T : KubeObject
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(change);
        var current = known;
        for (var attempt = 1; ; attempt++)
        {
            if (change(current) is not { } changed)
            {
                return null;
            }

            try
            {
                return target == WriteTarget.Status
                    ? await client.ReplaceStatusAsync(changed, cancellationToken)
                    : await client.ReplaceAsync(changed, cancellationToken);
            }
            catch (KubeApiException e) when (e.IsConflict && attempt < Attempts)
            {
                LogRetrying(logger, known.Kind ?? typeof(T).Name, known.Key(), attempt);
                var latest = await client.TryGetAsync(known.Metadata.Namespace, known.Metadata.Name!, cancellationToken);
                if (latest is null || (known.Metadata.Uid is { } uid && latest.Metadata.Uid != uid))
                {
                    return null;
                }

                current = latest;
            }
            catch (KubeApiException e) when (e.IsConflict)
            {
                LogGaveUp(logger, known.Kind ?? typeof(T).Name, known.Key(), Attempts, e.Message);
                throw;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Conflict writing {Kind} {Key} (attempt {Attempt}); re-reading the latest version")]
    private static partial void LogRetrying(ILogger logger, string kind, string key, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Kind} {Key} still conflicted after {Attempts} attempts; leaving it to the next sync: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string kind, string key, int attempts, string error);
}
