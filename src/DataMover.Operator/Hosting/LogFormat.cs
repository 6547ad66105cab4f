namespace DataMover.Operator.Hosting;

/// <summary>How the operator writes its log lines to stdout (<c>--log-format</c>).</summary>
public enum LogFormat
{
    /// <summary>One readable line per entry (the console's simple formatter).</summary>
    Text,

    /// <summary>One JSON object per line (the console's JSON formatter), fields and scopes as properties.</summary>
    Json,
}
