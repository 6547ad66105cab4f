namespace DataMover.Operator.Hosting;

/// <summary>
/// The least severe level logged (<c>--log-level</c>), and optional per-category overrides:
/// <c>info</c>, or <c>warn,DataMover.Kube.Runtime.Informer=debug</c> (a category also covers the categories below it).
/// </summary>
public sealed record LogLevels(LogLevel Default, IReadOnlyDictionary<string, LogLevel> Categories)
{
    public static LogLevels Information { get; } = new(LogLevel.Information, new Dictionary<string, LogLevel>());

    /// <summary>The levels <paramref name="text"/> describes, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static LogLevels? TryParse(string? text, out string? error)
    {
        error = null;
        var level = LogLevel.Information;
        var categories = new Dictionary<string, LogLevel>(StringComparer.Ordinal);
        var defaultSeen = false;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var category = equals < 0 ? null : part[..equals].Trim();
            var name = equals < 0 ? part : part[(equals + 1)..].Trim();
            if (ParseLevel(name) is not { } parsed)
            {
                error = $"unknown level \"{name}\"; use trace, debug, info, warn, error, critical or none";
                return null;
            }

            if (category is null)
            {
                if (defaultSeen)
                {
                    error = "more than one level without a category";
                    return null;
                }

                defaultSeen = true;
                level = parsed;
            }
            else if (category.Length == 0)
            {
                error = $"\"{part}\" names no category";
                return null;
            }
            else
            {
                categories[category] = parsed;
            }
        }

        return new LogLevels(level, categories);
    }

    /// <summary>controller-runtime's (zap's) level names, and Microsoft.Extensions.Logging's, in any case.</summary>
    private static LogLevel? ParseLevel(string name) => name.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" or "fatal" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => null,
    };
}
