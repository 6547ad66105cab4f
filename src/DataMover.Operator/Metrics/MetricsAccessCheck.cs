using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Operator.Metrics;

/// <summary>
/// Who may scrape, decided as controller-runtime's WithAuthenticationAndAuthorization filter (and kube-rbac-proxy)
/// decide: the bearer token must pass a TokenReview (else 401), and its user may <c>get</c> the request's path as a
/// non-resource URL per a SubjectAccessReview (else 403). The token is never logged nor kept.
/// </summary>
internal sealed partial class MetricsAccessCheck(KubeClient client, ILogger logger)
{
    private const string BearerPrefix = "Bearer ";

    /// <summary>Null when the request may go on; otherwise the status code it was answered with.</summary>
    public async Task<int?> RefuseAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || header.Length == BearerPrefix.Length)
        {
            return await AnswerAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized");
        }

        try
        {
            var review = await client.Resource(KubeResources.TokenReviews).CreateAsync(new TokenReview
            {
                ApiVersion = "authentication.k8s.io/v1",
                Kind = "TokenReview",
                Spec = new TokenReviewSpec { Token = header[BearerPrefix.Length..].Trim() },
            }, context.RequestAborted);
            if (review.Status is not { Authenticated: true, User: { } user })
            {
                return await AnswerAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized");
            }

            var access = await client.Resource(KubeResources.SubjectAccessReviews).CreateAsync(new SubjectAccessReview
            {
                ApiVersion = "authorization.k8s.io/v1",
                Kind = "SubjectAccessReview",
                Spec = new SubjectAccessReviewSpec
                {
                    User = user.Username,
                    Uid = user.Uid,
                    Groups = user.Groups,
                    // The user's extra attributes pass through unchanged, as unknown fields of both models.
                    Extra = user.Extra is { } extra && extra.TryGetValue("extra", out var attributes) ? new() { ["extra"] = attributes } : null,
                    NonResourceAttributes = new NonResourceAttributes { Path = context.Request.Path.Value, Verb = "get" },
                },
            }, context.RequestAborted);
            if (access.Status?.Allowed != true)
            {
                LogRefused(logger, user.Username ?? "", context.Request.Path.Value ?? "");
                return await AnswerAsync(context, StatusCodes.Status403Forbidden, $"Forbidden (user={user.Username}, verb=get, resource=, subresource=)");
            }

            return null;
        }
        catch (KubeApiException e)
        {
            LogReviewFailed(logger, e.Message);
            return await AnswerAsync(context, StatusCodes.Status500InternalServerError, "authentication or authorization failed");
        }
    }

    private static async Task<int?> AnswerAsync(HttpContext context, int code, string message)
    {
        context.Response.StatusCode = code;
        await context.Response.WriteAsync(message);
        return code;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics scrape by {User} refused: not allowed to get {Path}")]
    private static partial void LogRefused(ILogger logger, string user, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics scrape not checked: the review failed: {Error}")]
    private static partial void LogReviewFailed(ILogger logger, string error);
}
