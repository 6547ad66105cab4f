using System.Net;
using DataMover.Kube.Models;

namespace DataMover.Kube.Client;

/// <summary>A non-2xx answer of the API server, carrying the server's <see cref="Models.Status"/>.</summary>
public class KubeApiException : Exception
{
    public KubeApiException(Status status, HttpStatusCode statusCode)
        : base(Describe(status, statusCode))
    {
        Status = status;
        StatusCode = statusCode;
    }

    public KubeApiException()
        : this(new Status(), HttpStatusCode.InternalServerError)
    {
    }

    public KubeApiException(string message)
        : this(new Status { Message = message }, HttpStatusCode.InternalServerError)
    {
    }

    public KubeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = new Status { Message = message };
        StatusCode = HttpStatusCode.InternalServerError;
    }

    public Status Status { get; }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The machine-readable reason (NotFound, AlreadyExists, Conflict, Invalid, ...).</summary>
    public string? Reason => Status.Reason;

    public bool IsNotFound => StatusCode == HttpStatusCode.NotFound;

    public bool IsAlreadyExists => StatusCode == HttpStatusCode.Conflict && Reason == "AlreadyExists";

    /// <summary>An optimistic-concurrency or precondition failure: re-read and retry.</summary>
    public bool IsConflict => StatusCode == HttpStatusCode.Conflict && Reason != "AlreadyExists";

    public bool IsGone => StatusCode == HttpStatusCode.Gone || Reason is "Expired" or "Gone";

    public bool IsInvalid => StatusCode == HttpStatusCode.UnprocessableEntity;

    public bool IsForbidden => StatusCode == HttpStatusCode.Forbidden;

    public bool IsUnauthorized => StatusCode == HttpStatusCode.Unauthorized;

    public bool IsTooManyRequests => StatusCode == HttpStatusCode.TooManyRequests;

    public bool IsServerError => (int)StatusCode >= 500;

    /// <summary>
    /// A list or watch asked for a resourceVersion newer than the server has (etcd restored from a backup): kube-apiserver
    /// answers 504 Timeout with cause ResourceVersionTooLarge; only a list from scratch helps.
    /// </summary>
    public bool IsResourceVersionTooLarge =>
        Status.Details?.Causes?.Any(c => c.Reason == "ResourceVersionTooLarge") == true
        || Status.Message?.Contains("Too large resource version", StringComparison.OrdinalIgnoreCase) == true;

    private static string Describe(Status status, HttpStatusCode code) =>
        $"{(int)code} {status.Reason ?? code.ToString()}: {status.Message}";
}
