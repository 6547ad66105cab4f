namespace DataMover.Kube.Client;

/// <summary>Receives one call per HTTP attempt to the API server, as client-go's <c>rest_client_requests_total</c> counts.</summary>
public interface IRestClientMetrics
{
    /// <summary><paramref name="code"/> is the HTTP status code, or <c>&lt;error&gt;</c> when no answer came.</summary>
    void RequestCompleted(string code, string method, string host);
}
