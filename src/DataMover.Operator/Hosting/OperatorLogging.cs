using System.Text.Encodings.Web;
using System.Text.Json;

namespace DataMover.Operator.Hosting;

/// <summary>
/// The console logging the executable writes: text or JSON lines on stdout, UTC timestamps, and scopes (each
/// reconcile's controller, namespace, name and reconcileID) included in both formats.
/// </summary>
internal static class OperatorLogging
{
    private const string TextTimestamp = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    private const string JsonTimestamp = "yyyy-MM-ddTHH:mm:ss.fffZ";

    public static ILoggerFactory CreateFactory(LogFormat format, LogLevels levels) => LoggerFactory.Create(builder =>
    {
        if (format == LogFormat.Json)
        {
            builder.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = JsonTimestamp;
                // One object per line: log shippers split on newlines. Messages stay greppable ("->", not "\u003E"):
                // the lines go to a log stream, never into HTML.
                o.JsonWriterOptions = new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            });
        }
        else
        {
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.IncludeScopes = true;
                o.TimestampFormat = TextTimestamp;
                o.UseUtcTimestamp = true;
            });
        }

        builder.SetMinimumLevel(levels.Default);
        foreach (var (category, level) in levels.Categories)
        {
            builder.AddFilter(category, level);
        }
    });
}
