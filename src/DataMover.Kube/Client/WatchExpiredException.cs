using System.Net;
using DataMover.Kube.Models;

namespace DataMover.Kube.Client;

/// <summary>
/// The watch's resourceVersion is older than the server's history (410 Gone or an ERROR event with code 410).
/// The only remedy is a fresh list.
/// </summary>
public sealed class WatchExpiredException : KubeApiException
{
    public WatchExpiredException(Status status)
        : base(status, HttpStatusCode.Gone)
    {
    }

    public WatchExpiredException()
        : this(new Status { Code = 410, Reason = "Expired" })
    {
    }

    public WatchExpiredException(string message)
        : this(new Status { Code = 410, Reason = "Expired", Message = message })
    {
    }

    public WatchExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
