using DataMover.Bench;

namespace DataMover.Operator.Tests.Unit;

/// <summary>The arithmetic and parsing behind bench/run's table (the bench itself is not run by the tests).</summary>
public sealed class BenchReportTests
{
    [Fact]
    public void PercentilesAreNearestRank()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();
        Assert.Equal(50, Percentiles.Of(values, 50));
        Assert.Equal(99, Percentiles.Of(values, 99));
        Assert.Equal(100, Percentiles.Of(values, 100));
        Assert.Equal(7, Percentiles.Of([7], 99));
        Assert.True(double.IsNaN(Percentiles.Of([], 50)));
    }

    [Fact]
    public void RequestCountsSumByMethodAndCountWritesAndReads()
    {
        const string before = """
            # HELP rest_client_requests_total Number of HTTP requests, partitioned by status code, method, and host.
            # TYPE rest_client_requests_total counter
            rest_client_requests_total{code="200",method="GET",host="127.0.0.1:6443"} 10
            rest_client_requests_total{code="201",method="POST",host="127.0.0.1:6443"} 4
            rest_client_requests_total{code="409",method="PUT",host="127.0.0.1:6443"} 1
            rest_client_request_duration_seconds_count{verb="GET"} 99
            """;
        const string after = """
            rest_client_requests_total{code="200",method="GET",host="127.0.0.1:6443"} 12
            rest_client_requests_total{code="201",method="POST",host="127.0.0.1:6443"} 14
            rest_client_requests_total{code="200",method="POST",host="127.0.0.1:6443"} 2
            rest_client_requests_total{code="409",method="PUT",host="127.0.0.1:6443"} 1
            rest_client_requests_total{code="200",method="PATCH",host="127.0.0.1:6443"} 6
            rest_client_requests_total{code="200",method="DELETE",host="127.0.0.1:6443"} 2
            """;

        var delta = RequestCounts.Parse(after) - RequestCounts.Parse(before);

        Assert.Equal(20, delta.Writes);
        Assert.Equal(2, delta.Reads);
        Assert.Equal(22, delta.Total);
        Assert.Equal("POST 6.0, PATCH 3.0, GET 1.0, DELETE 1.0", delta.Describe(2));
    }

    [Theory]
    [InlineData("12.5s", 12_500)]
    [InlineData("1m2.5s", 62_500)]
    [InlineData("1h0m1s", 3_601_000)]
    [InlineData("250ms", 250)]
    public void RcloneDurationsParse(string text, double milliseconds) =>
        Assert.Equal(milliseconds, MoverLogTimes.Duration(text).TotalMilliseconds, 3);

    [Fact]
    public void TheMoverLogSplitsIntoUploadAndVerify()
    {
        const string log = """
            mover: source /data/ -> destination datamover:bench/x (http://127.0.0.1:1234), running as uid 65534
            mover: syncing
            Transferred:   	    1.000 GiB / 1.000 GiB, 100%, 50.000 MiB/s, ETA 0s
            Elapsed time:        20.5s
            mover: sync complete: transferred 10000 files (1.000 GiB), checked 0, deleted 0
            mover: verifying (hash)
            Checks:             10000 / 10000, 100%
            Elapsed time:         4.0s
            mover: writing .datamover-manifest.json
            """;

        var (upload, verify) = MoverLogTimes.Parse(log);

        Assert.Equal(TimeSpan.FromSeconds(20.5), upload);
        Assert.Equal(TimeSpan.FromSeconds(4), verify);
        Assert.Equal((null, null), MoverLogTimes.Parse("mover: starting"));
    }

    [Fact]
    public void TheTableAlignsItsColumnsAndSaysWhichGoalsAreMissed()
    {
        var table = new ResultTable();
        table.Add(new ResultRow("P1 operator overhead p50", "30 ms", "≤ 50 ms", true, "operator"));
        table.Add(new ResultRow("P3 all Completed", "90 s", "≤ 60 s", false, "sandbox"));
        table.Add(new ResultRow("P3 median", "4 s", "–", null, "sandbox"));

        var lines = table.Render("note").Split('\n');

        Assert.Equal(5, lines.TakeWhile(l => l.StartsWith('|')).Count());
        Assert.Single(lines.Take(5).Select(l => l.Length).Distinct());
        Assert.Contains("| yes ", lines[2], StringComparison.Ordinal);
        Assert.Contains("| **no** ", lines[3], StringComparison.Ordinal);
        Assert.Contains("| –  ", lines[4], StringComparison.Ordinal);
        Assert.Equal("note", lines[6]);
    }
}
