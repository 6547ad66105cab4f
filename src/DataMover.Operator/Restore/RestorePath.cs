namespace DataMover.Operator.Restore;

/// <summary>A restore's source.path: validated like a DataMover's spec.path, and split into prefix and folder.</summary>
internal static class RestorePath
{
    public const string Latest = "latest";
    public const int MaxLength = 1024;

    /// <summary>Why <paramref name="path"/> is not a usable path inside a bucket, or null when it is.</summary>
    public static string? WhyNot(string path)
    {
        if (path.Length == 0)
        {
            return "must not be empty";
        }

        if (path.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters";
        }

        if (path.StartsWith('/') || path.EndsWith('/'))
        {
            return "must be relative, without a leading or trailing \"/\"";
        }

        if (path.Any(char.IsControl) || path.Contains('\\', StringComparison.Ordinal))
        {
            return "must not contain control characters or \"\\\"";
        }

        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                return "must not contain empty, \".\" or \"..\" segments";
            }
        }

        return null;
    }

    /// <summary>
    /// The mover's DATAMOVER_PATH and DATAMOVER_RESTORE_FOLDER for a validated <paramref name="path"/>:
    /// "x/latest" is (x, latest), "latest" is ("", latest), anything else is the folder itself with no folder below it.
    /// </summary>
    public static (string Prefix, string Folder) Split(string path)
    {
        if (path == Latest)
        {
            return ("", Latest);
        }

        return path.EndsWith("/" + Latest, StringComparison.Ordinal)
            ? (path[..^(Latest.Length + 1)], Latest)
            : (path, "");
    }
}
