using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>
/// The operator executable's JSON logs against the sandbox: every stdout line one JSON object, each reconcile's
/// lines carrying its own scope as fields, the level filter, and an API error logged once per failed reconcile.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class LoggingTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    private const string ReconcilingFormat = "{Controller}: reconciling {Key}";
    private const string ReconciledFormat = "{Controller}: reconcile of {Key} succeeded";
    private const string InjectedFault = "Internal error occurred: injected fault";

    [Fact]
    public async Task Json_lines_carry_each_reconciles_controller_namespace_name_and_own_reconcile_id_as_fields()
    {
        await CreateSourceAsync();
        var lines = await RunOperatorAsync(["--log-format", "json", "--log-level", "debug"], async () =>
        {
            await CreateDataMoverAsync("logs-json");
            // Two steps, so at least two reconciles: the clone, then (once it is bound) the mover Job.
            await BindAsync(await WaitForCloneAsync("logs-json"));
            await WaitUntilAsync(async () =>
                (await DataMovers.TryGetAsync(Ns, "logs-json"))?.Status?.JobName is { } job && await Jobs.TryGetAsync(Ns, job) is not null,
                "the operator never created the mover Job");
        });

        var entries = ParseEveryLine(lines);
        var mine = entries.Where(e => e.Scope("datamover", Ns, "logs-json") is not null).ToList();
        string IdOf(LogEntry e) => (string)e.Scope("datamover", Ns, "logs-json")!["reconcileID"]!;

        var starts = mine.Where(e => e.Format == ReconcilingFormat).ToList();
        Assert.True(starts.Count >= 2, $"expected several reconciles of logs-json, saw {starts.Count}");
        Assert.All(starts, s => Assert.True(Guid.TryParse(IdOf(s), out _), IdOf(s)));
        // A fresh id per reconcile: as many ids as reconciles, each opened by exactly one start line.
        Assert.Equal(starts.Count, mine.Select(IdOf).Distinct().Count());
        Assert.All(mine.GroupBy(IdOf), g => Assert.Single(g, e => e.Format == ReconcilingFormat));

        // The reconciler's own line (another category) shares the scope of the reconcile that wrote it.
        var phase = Assert.Single(mine, e => e.Message.Contains("-> CreatingClonedPVC", StringComparison.Ordinal));
        Assert.NotEqual(phase.Category, starts[0].Category);
        var sameReconcile = mine.Where(e => IdOf(e) == IdOf(phase)).Select(e => e.Format).ToList();
        Assert.Contains(ReconcilingFormat, sameReconcile);
        Assert.Contains(ReconciledFormat, sameReconcile);
        // The message's values are fields too, not only text.
        Assert.Equal(Ns, (string?)phase.State["Namespace"]);
        Assert.Equal("logs-json", (string?)phase.State["Name"]);
        Assert.EndsWith("Z", (string?)phase.Json["Timestamp"], StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse((string?)phase.Json["Timestamp"], System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    [Fact]
    public async Task At_warn_level_an_api_error_is_logged_once_per_failed_reconcile_with_its_status_and_nothing_below_warning()
    {
        await CreateSourceAsync();
        var lines = await RunOperatorAsync(["--log-format", "json", "--log-level", "warn"], async output =>
        {
            try
            {
                // The clone's create fails with a 500 until the fault is lifted: every reconcile in between fails.
                Fixture.Cluster.Faults.Configure("error500=1:create/persistentvolumeclaims");
                await CreateDataMoverAsync("logs-fault");
                await WaitUntilAsync(() => Task.FromResult(output.Count(l => l.Contains(InjectedFault, StringComparison.Ordinal)) >= 3), "the failing reconciles were not logged");
            }
            finally
            {
                Fixture.Cluster.Faults.Clear();
            }

            await WaitForCloneAsync("logs-fault");
        });

        var entries = ParseEveryLine(lines);
        Assert.All(entries, e => Assert.Contains(e.Level, new[] { "Warning", "Error", "Critical" }));

        var failures = entries.Where(e => e.Json.ToJsonString().Contains("injected fault", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count >= 3, $"expected several failed reconciles, saw {failures.Count}");
        Assert.All(failures, f =>
        {
            // Logged inside the reconcile, by one line with the API's answer as fields.
            Assert.NotNull(f.Scope("datamover", Ns, "logs-fault"));
            Assert.Equal(500, (int?)f.State["StatusCode"]);
            Assert.Equal("InternalError", (string?)f.State["Reason"]);
            Assert.Equal(InjectedFault, (string?)f.State["Error"]);
        });
        var ids = failures.Select(f => (string)f.Scope("datamover", Ns, "logs-fault")!["reconcileID"]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    /// <summary>Runs the operator executable while <paramref name="act"/> runs, stops it with SIGTERM, and returns its stdout.</summary>
    private Task<IReadOnlyList<string>> RunOperatorAsync(IEnumerable<string> logFlags, Func<Task> act) =>
        RunOperatorAsync(logFlags, _ => act());

    private async Task<IReadOnlyList<string>> RunOperatorAsync(IEnumerable<string> logFlags, Func<IEnumerable<string>, Task> act)
    {
        using var op = OperatorProcess.Start(
            ["--kubeconfig", Fixture.OperatorKubeconfigPath, "--namespace", Ns, "--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--mover-image", "example.local/mover:test", .. logFlags],
            new Dictionary<string, string>());
        await act(op.StandardOutput);
        op.Terminate();
        await op.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, op.ExitCode);
        return [.. op.StandardOutput];
    }

    private async Task<string> WaitForCloneAsync(string name)
    {
        var clone = "";
        await WaitUntilAsync(async () =>
        {
            clone = (await DataMovers.TryGetAsync(Ns, name))?.Status?.RestoredPvcName ?? "";
            return clone.Length > 0 && await Pvcs.TryGetAsync(Ns, clone) is not null;
        }, $"the operator never created the clone of {name}");
        return clone;
    }

    private static List<LogEntry> ParseEveryLine(IReadOnlyList<string> lines)
    {
        Assert.NotEmpty(lines);
        return lines.Select(line =>
        {
            JsonNode? node = null;
            try
            {
                node = JsonNode.Parse(line);
            }
            catch (JsonException e)
            {
                Assert.Fail($"not a JSON line ({e.Message}): {line}");
            }

            return node is JsonObject json ? new LogEntry(json) : throw new Xunit.Sdk.XunitException("not a JSON object: " + line);
        }).ToList();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        // Generous: the operator process starts, syncs and backs off on a busy machine.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }

    /// <summary>One line of the JSON console formatter: LogLevel, Category, Message, State (the message's fields), Scopes.</summary>
    private sealed record LogEntry(JsonObject Json)
    {
        public string Level => (string)Json["LogLevel"]!;

        public string Category => (string)Json["Category"]!;

        public string Message => (string)Json["Message"]!;

        public JsonObject State => Json["State"] as JsonObject ?? [];

        public string? Format => (string?)State["{OriginalFormat}"];

        /// <summary>The reconcile scope of <paramref name="controller"/> for the object, if this line was written inside one.</summary>
        public JsonObject? Scope(string controller, string ns, string name) =>
            (Json["Scopes"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(s =>
                (string?)s["controller"] == controller && (string?)s["namespace"] == ns && (string?)s["name"] == name);
    }
}
