using System.Diagnostics;

namespace DataMover.Operator.Tests.Support;

/// <summary>The real kubectl against a sandbox cluster, for what users see (printer columns).</summary>
internal static class Kubectl
{
    /// <summary>Runs kubectl and asserts it succeeded; its standard output.</summary>
    public static async Task<string> RunAsync(string kubeconfig, params string[] args)
    {
        var (exitCode, output, errors) = await TryRunAsync(kubeconfig, args);
        Assert.True(exitCode == 0, $"kubectl {string.Join(' ', args)} exited with {exitCode}: {output}{errors}");
        return output;
    }

    /// <summary>Runs kubectl; its exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> TryRunAsync(string kubeconfig, params string[] args)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The cell under <paramref name="column"/> in the first row of a table kubectl printed. kubectl aligns every cell
    /// with its header, so the cell starts where the header does and runs to the next column's start.
    /// </summary>
    public static string Cell(string table, string column)
    {
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 2, "no rows in:\n" + table);
        var header = lines[0];
        var start = header.IndexOf(column, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {column} column in:\n{table}");
        var next = header.IndexOf(' ', start);
        while (next >= 0 && next < header.Length && header[next] == ' ')
        {
            next++;
        }

        var row = lines[1];
        var end = next < 0 || next >= header.Length ? row.Length : Math.Min(next, row.Length);
        return start >= row.Length ? "" : row[start..end].Trim();
    }
}
