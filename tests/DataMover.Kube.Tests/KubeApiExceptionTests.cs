using System.Net;
using System.Text;
using DataMover.Kube.Client;

namespace DataMover.Kube.Tests;

/// <summary>metav1.Status bodies (as the API server sends them) mapped to exceptions.</summary>
public sealed class KubeApiExceptionTests
{
    [Fact]
    public async Task NotFound()
    {
        var e = await Map(404, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}""");
        Assert.True(e.IsNotFound);
        Assert.Equal("x", e.Status.Details!.Name);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlreadyExists_is_not_a_conflict()
    {
        var e = await Map(409, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" already exists","reason":"AlreadyExists","details":{"name":"x","kind":"pods"},"code":409}""");
        Assert.True(e.IsAlreadyExists);
        Assert.False(e.IsConflict);
    }

    [Fact]
    public async Task Conflict_is_not_already_exists()
    {
        var e = await Map(409, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on pods \"x\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"x","kind":"pods"},"code":409}""");
        Assert.True(e.IsConflict);
        Assert.False(e.IsAlreadyExists);
    }

    [Fact]
    public async Task Gone_is_a_watch_expiry()
    {
        var e = await Map(410, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (48213)","reason":"Expired","code":410}""");
        Assert.IsType<WatchExpiredException>(e);
        Assert.True(e.IsGone);
    }

    [Fact]
    public async Task Invalid_carries_the_causes()
    {
        var e = await Map(422, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"x\" is invalid: spec.containers[0].image: Required value","reason":"Invalid","details":{"name":"x","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers[0].image"}]},"code":422}""");
        Assert.True(e.IsInvalid);
        var cause = Assert.Single(e.Status.Details!.Causes!);
        Assert.Equal("spec.containers[0].image", cause.Field);
        Assert.Equal("FieldValueRequired", cause.Reason);
    }

    [Fact]
    public async Task Forbidden()
    {
        var e = await Map(403, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \"system:serviceaccount:apps:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"apps\"","reason":"Forbidden","details":{"kind":"pods"},"code":403}""");
        Assert.True(e.IsForbidden);
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
    }

    [Fact]
    public async Task TooManyRequests()
    {
        var e = await Map(429, """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","details":{"retryAfterSeconds":1},"code":429}""");
        Assert.True(e.IsTooManyRequests);
        Assert.Equal(1, e.Status.Details!.RetryAfterSeconds);
    }

    [Fact]
    public async Task A_body_that_is_not_a_Status_is_kept_as_the_message()
    {
        var e = await Map(502, "<html><body>Bad Gateway</body></html>", "text/html");
        Assert.True(e.IsServerError);
        Assert.Equal(502, e.Status.Code);
        Assert.Contains("Bad Gateway", e.Status.Message, StringComparison.Ordinal);
    }

    private static async Task<KubeApiException> Map(int code, string body, string contentType = "application/json")
    {
        using var response = new HttpResponseMessage((HttpStatusCode)code) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        return await KubeClient.ToExceptionAsync(response, CancellationToken.None);
    }
}
