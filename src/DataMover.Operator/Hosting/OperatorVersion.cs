using System.Reflection;

namespace DataMover.Operator.Hosting;

/// <summary>
/// The version this build reports: &lt;Version&gt; of Directory.Build.props plus the commit it was built from
/// (version+commit), the same string <c>--version</c> prints, so a log line and a bug report name the exact build.
/// </summary>
internal static class OperatorVersion
{
    public static string Current { get; } =
        typeof(OperatorVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
