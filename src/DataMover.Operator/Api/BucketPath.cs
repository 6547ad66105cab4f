using System.Globalization;

namespace DataMover.Operator.Api;

/// <summary>
/// The rules of <c>spec.path</c>, a prefix inside the bucket: relative, <c>/</c>-separated segments of
/// <c>[A-Za-z0-9._-]</c>, no <c>.</c> or <c>..</c> segment, at most 256 characters. The CRD schema carries the same
/// rule as <see cref="Pattern"/>; the operator checks again at acceptance for API servers that skip schema validation.
/// </summary>
internal static class BucketPath
{
    public const int MaxLength = 256;

    /// <summary>RE2 has no lookahead: a segment is either one with a non-dot character, or three dots or more.</summary>
    public const string Pattern = @"^(([A-Za-z0-9._-]*[A-Za-z0-9_-][A-Za-z0-9._-]*|\.\.\.+)(/([A-Za-z0-9._-]*[A-Za-z0-9_-][A-Za-z0-9._-]*|\.\.\.+))*)?$";

    /// <summary>Unset and empty both mean the bucket root.</summary>
    public static string Normalize(string? path) => path ?? "";

    /// <summary>Why <paramref name="path"/> is not a usable spec.path, or null when it is.</summary>
    public static string? Problem(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        if (path.Length > MaxLength)
        {
            return $"spec.path is {path.Length} characters long; at most {MaxLength} are allowed";
        }

        // Refused rather than trimmed: the user would otherwise find the backup somewhere other than they wrote.
        if (path[0] == '/' || path[^1] == '/')
        {
            return $"spec.path \"{path}\" must not start or end with \"/\": it is relative to the bucket, e.g. \"team-a/web\"";
        }

        foreach (var c in path)
        {
            if (!IsAllowed(c) && c != '/')
            {
                var shown = char.IsControl(c) || char.IsWhiteSpace(c) ? "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString();
                return $"spec.path contains '{shown}': only letters, digits, '.', '_' and '-' are allowed, in segments separated by '/'";
            }
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return $"spec.path \"{path}\" has an empty segment (\"//\")";
            }

            if (segment is "." or "..")
            {
                return $"spec.path \"{path}\" has a \"{segment}\" segment; \".\" and \"..\" are not allowed";
            }
        }

        return null;
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-';
}
