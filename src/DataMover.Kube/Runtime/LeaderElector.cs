using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Json;
using DataMover.Kube.Models;
using Microsoft.Extensions.Logging;

namespace DataMover.Kube.Runtime;

/// <summary>
/// Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection package.
/// Expiry of another holder's lease is judged only by this process's monotonic clock, counted from when it last saw
/// the lease record change; the remote renewTime is never compared with the local wall clock, so clock skew between
/// nodes cannot cause two leaders.
/// </summary>
public sealed partial class LeaderElector
{
    // client-go's wait.JitterUntil factor for acquire attempts.
    private const double JitterFactor = 1.2;

    private readonly ResourceClient<Lease> _leases;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LeaderElector> _logger;
    private readonly Lock _gate = new();

    // The last lease seen (or written), the JSON of its spec, and the monotonic timestamp when that spec last changed.
    private Lease? _observedLease;
    private string? _observedSpecJson;
    private long _observedAt;

    public LeaderElector(KubeClient client, LeaderElectionOptions options, TimeProvider time, ILogger<LeaderElector> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _leases = client.Resource(KubeResources.Leases);
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>True while the last observed lease record names this process as holder.</summary>
    public bool IsLeader
    {
        get
        {
            lock (_gate)
            {
                return IsHolder(_observedLease);
            }
        }
    }

    /// <summary>True once this process has given the lease up on shutdown (ReleaseOnCancel).</summary>
    public bool LeaseReleased { get; private set; }

    /// <summary>The holder of the last observed lease record, or null.</summary>
    public string? CurrentLeader
    {
        get
        {
            lock (_gate)
            {
                return _observedLease?.Spec?.HolderIdentity is { Length: > 0 } h ? h : null;
            }
        }
    }

    /// <summary>
    /// Waits to become leader, then runs <paramref name="onStartedLeading"/> with a token that is cancelled when
    /// leadership is lost or <paramref name="cancellationToken"/> is cancelled, while renewing the lease.
    /// Returns when <paramref name="cancellationToken"/> was cancelled (after the callback has finished and the lease
    /// was released) or when the callback returns; throws <see cref="LeaderElectionLostException"/> when the lease could
    /// not be renewed, and rethrows the callback's failure. Either way the host should then exit.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> onStartedLeading, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onStartedLeading);
        if (!await AcquireAsync(cancellationToken))
        {
            return;
        }

        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => onStartedLeading(leading.Token), CancellationToken.None);
        using var stopRenewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = RenewUntilLostAsync(stopRenewing.Token);

        var first = await Task.WhenAny(work, renewal);
        var lost = first == renewal && await renewal;
        if (lost)
        {
            LogLost(_logger, Describe(), _options.RenewDeadline.TotalSeconds);
        }

        // Stop the work before giving up the lease, so that a successor never runs alongside it.
        await leading.CancelAsync();
        await stopRenewing.CancelAsync();
        await renewal;
        Exception? workFailure = null;
        try
        {
            await work;
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
            // The callback honoured the token.
        }
        catch (Exception e)
        {
            workFailure = e;
        }

        if (!lost && _options.ReleaseOnCancel)
        {
            await ReleaseAsync();
        }

        if (lost)
        {
            throw new LeaderElectionLostException($"lost the lease {Describe()}: not renewed within {_options.RenewDeadline.TotalSeconds:0.#}s", workFailure!);
        }

        if (workFailure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(workFailure);
        }
    }

    /// <summary>Tries to acquire every RetryPeriod (with jitter) until it succeeds; false when cancelled first.</summary>
    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        LogAttempting(_logger, Describe(), _options.Identity);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await TryAcquireOrRenewAsync(cancellationToken))
            {
                LogAcquired(_logger, Describe(), _options.Identity);
                return true;
            }

            var jittered = _options.RetryPeriod + (_options.RetryPeriod * (Random.Shared.NextDouble() * JitterFactor));
            try
            {
                await Task.Delay(jittered, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Renews every RetryPeriod; each round retries until RenewDeadline has passed since the round began
    /// (client-go's renew). Returns true when leadership was lost, false when stopped.
    /// </summary>
    private async Task<bool> RenewUntilLostAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using var deadline = new CancellationTokenSource(_options.RenewDeadline, _time);
            using var round = CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token);
            var renewed = false;
            while (!renewed && !round.IsCancellationRequested)
            {
                renewed = await TryAcquireOrRenewAsync(round.Token);
                if (!renewed)
                {
                    try
                    {
                        await Task.Delay(_options.RetryPeriod, _time, round.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // Deadline or stop: decided below.
                    }
                }
            }

            if (stop.IsCancellationRequested)
            {
                return false;
            }

            if (!renewed)
            {
                return true;
            }

            try
            {
                await Task.Delay(_options.RetryPeriod, _time, stop);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>client-go's tryAcquireOrRenew: one attempt, true when this process holds the lease afterwards.</summary>
    internal async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var desired = new LeaseSpec
        {
            HolderIdentity = _options.Identity,
            LeaseDurationSeconds = (int)_options.LeaseDuration.TotalSeconds,
            AcquireTime = now,
            RenewTime = now,
        };

        // 1. Fast path: the leader updates its own last-written lease without reading it first.
        Lease? known;
        lock (_gate)
        {
            known = IsHolder(_observedLease) && IsLeaseValid() ? _observedLease : null;
        }

        if (known?.Spec is { } ownSpec)
        {
            var renewed = await TryReplaceAsync(known with { Spec = Renewal(ownSpec, desired) }, cancellationToken);
            if (renewed)
            {
                return true;
            }
        }

        // 2. Read the lease, creating it when it does not exist.
        Lease current;
        try
        {
            current = await _leases.GetAsync(_options.LeaseNamespace, _options.LeaseName, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return await TryCreateAsync(desired with { LeaseTransitions = 0 }, cancellationToken);
        }
        catch (Exception e) when (IsAttemptFailure(e, cancellationToken))
        {
            LogGetFailed(_logger, Describe(), e);
            return false;
        }

        // 3. Note when the record last changed, by the local monotonic clock; an unchanged record keeps its time.
        var spec = current.Spec ?? new LeaseSpec();
        bool heldByOther;
        lock (_gate)
        {
            var json = SpecJson(spec);
            if (json != _observedSpecJson)
            {
                _observedSpecJson = json;
                _observedAt = _time.GetTimestamp();
            }

            _observedLease = current;
            heldByOther = !string.IsNullOrEmpty(spec.HolderIdentity) && IsLeaseValid() && !IsHolder(current);
        }

        if (heldByOther)
        {
            return false;
        }

        // 4. Take over a free or expired lease, or renew our own.
        var next = IsHolder(current)
            ? Renewal(spec, desired)
            : desired with { LeaseTransitions = (spec.LeaseTransitions ?? 0) + 1, Extra = spec.Extra };
        return await TryReplaceAsync(current with { Spec = next }, cancellationToken);
    }

    /// <summary>Gives the lease up (empty holder, 1s duration) so a waiting candidate can take over at once.</summary>
    private async Task ReleaseAsync()
    {
        Lease? lease;
        lock (_gate)
        {
            lease = IsHolder(_observedLease) ? _observedLease : null;
        }

        if (lease?.Spec is not { } spec)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_options.RenewDeadline, _time);
        try
        {
            try
            {
                Observe(await _leases.ReplaceAsync(Released(lease, spec), timeout.Token));
            }
            catch (KubeApiException e) when (e.IsConflict)
            {
                // A renewal cancelled by the shutdown may have landed without our seeing its answer, leaving our
                // resourceVersion stale: re-read, and release only if the lease is still ours.
                var current = await _leases.GetAsync(_options.LeaseNamespace, _options.LeaseName, timeout.Token);
                if (!IsHolder(current) || current.Spec is not { } currentSpec)
                {
                    return;
                }

                Observe(await _leases.ReplaceAsync(Released(current, currentSpec), timeout.Token));
            }

            LeaseReleased = true;
            LogReleased(_logger, Describe());
        }
        catch (Exception e) when (IsAttemptFailure(e, timeout.Token))
        {
            LogUpdateFailed(_logger, Describe(), e);
        }
    }

    private Lease Released(Lease lease, LeaseSpec spec)
    {
        var now = _time.GetUtcNow();
        return lease with
        {
            Spec = spec with
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
            },
        };
    }

    private async Task<bool> TryReplaceAsync(Lease lease, CancellationToken cancellationToken)
    {
        try
        {
            Observe(await _leases.ReplaceAsync(lease, cancellationToken));
            return true;
        }
        catch (Exception e) when (IsAttemptFailure(e, cancellationToken))
        {
            LogUpdateFailed(_logger, Describe(), e);
            return false;
        }
    }

    private async Task<bool> TryCreateAsync(LeaseSpec spec, CancellationToken cancellationToken)
    {
        var lease = new Lease
        {
            Metadata = new ObjectMeta { Name = _options.LeaseName, Namespace = _options.LeaseNamespace },
            Spec = spec,
        };
        try
        {
            Observe(await _leases.CreateAsync(lease, cancellationToken));
            return true;
        }
        catch (Exception e) when (IsAttemptFailure(e, cancellationToken))
        {
            LogCreateFailed(_logger, Describe(), e);
            return false;
        }
    }

    private void Observe(Lease written)
    {
        lock (_gate)
        {
            _observedLease = written;
            _observedSpecJson = SpecJson(written.Spec ?? new LeaseSpec());
            _observedAt = _time.GetTimestamp();
        }
    }

    /// <summary>A renewal keeps the acquire time and transition count of the current term.</summary>
    private static LeaseSpec Renewal(LeaseSpec current, LeaseSpec desired) => current with
    {
        HolderIdentity = desired.HolderIdentity,
        LeaseDurationSeconds = desired.LeaseDurationSeconds,
        RenewTime = desired.RenewTime,
        AcquireTime = current.AcquireTime ?? desired.AcquireTime,
    };

    // Caller holds _gate.
    private bool IsLeaseValid() =>
        _observedLease?.Spec?.LeaseDurationSeconds is { } seconds
        && _time.GetElapsedTime(_observedAt) < TimeSpan.FromSeconds(seconds);

    private bool IsHolder(Lease? lease) => lease?.Spec?.HolderIdentity == _options.Identity;

    private static string SpecJson(LeaseSpec spec) => JsonSerializer.Serialize(spec, KubeJsonContext.Default.LeaseSpec);

    // An attempt that failed on its own (server error, timeout, conflict) rather than because the caller stopped.
    private static bool IsAttemptFailure(Exception e, CancellationToken cancellationToken) =>
        e is KubeApiException or HttpRequestException or IOException or TimeoutException or System.Text.Json.JsonException
        || (e is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private string Describe() => $"{_options.LeaseNamespace}/{_options.LeaseName}";

    private static void Validate(LeaderElectionOptions o)
    {
        // client-go's NewLeaderElector checks.
        if (o.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("LeaseDuration must be at least 1s (the lease stores whole seconds)", nameof(o));
        }

        if (o.RenewDeadline <= TimeSpan.Zero || o.RetryPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException("RenewDeadline and RetryPeriod must be positive", nameof(o));
        }

        if (o.LeaseDuration <= o.RenewDeadline)
        {
            throw new ArgumentException("LeaseDuration must be greater than RenewDeadline", nameof(o));
        }

        if (o.RenewDeadline <= o.RetryPeriod * JitterFactor)
        {
            throw new ArgumentException("RenewDeadline must be greater than RetryPeriod*1.2", nameof(o));
        }

        if (string.IsNullOrEmpty(o.Identity))
        {
            throw new ArgumentException("Identity must not be empty", nameof(o));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Attempting to acquire lease {Lease} as {Identity}")]
    private static partial void LogAttempting(ILogger logger, string lease, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Acquired lease {Lease} as {Identity}")]
    private static partial void LogAcquired(ILogger logger, string lease, string identity);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lost lease {Lease}: not renewed within {RenewDeadlineSeconds}s; stopping")]
    private static partial void LogLost(ILogger logger, string lease, double renewDeadlineSeconds);

    // Debug: the host reports the release in its one shutdown line.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Released lease {Lease}")]
    private static partial void LogReleased(ILogger logger, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read lease {Lease}")]
    private static partial void LogGetFailed(ILogger logger, string lease, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create lease {Lease}")]
    private static partial void LogCreateFailed(ILogger logger, string lease, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not update lease {Lease}")]
    private static partial void LogUpdateFailed(ILogger logger, string lease, Exception error);
}
