using System.CommandLine;
using DataMover.Operator.Hosting;
using Microsoft.Extensions.Logging;

namespace DataMover.Operator.Tests.Unit;

/// <summary>--log-format and --log-level as the command line parses them.</summary>
public sealed class LogFlagsTests
{
    [Fact]
    public async Task Defaults_are_text_at_information()
    {
        var (exit, options, _) = await InvokeAsync();

        Assert.Equal(0, exit);
        Assert.Equal(LogFormat.Text, options!.LogFormat);
        Assert.Equal(LogLevel.Information, options.LogLevels.Default);
        Assert.Empty(options.LogLevels.Categories);
    }

    [Fact]
    public async Task Json_with_a_level_and_a_category_override()
    {
        var (exit, options, _) = await InvokeAsync("--log-format", "JSON", "--log-level", "warn,DataMover.Kube.Runtime.Informer=debug");

        Assert.Equal(0, exit);
        Assert.Equal(LogFormat.Json, options!.LogFormat);
        Assert.Equal(LogLevel.Warning, options.LogLevels.Default);
        Assert.Equal(LogLevel.Debug, Assert.Single(options.LogLevels.Categories, c => c.Key == "DataMover.Kube.Runtime.Informer").Value);
    }

    [Theory]
    [InlineData("--log-format", "yaml", "--log-format: unknown format \"yaml\"; use text or json")]
    [InlineData("--log-level", "verbose", "--log-level: unknown level \"verbose\"")]
    [InlineData("--log-level", "info,debug", "--log-level: more than one level without a category")]
    public async Task An_invalid_value_exits_1_with_a_clear_error_before_the_operator_starts(string flag, string value, string error)
    {
        var (exit, options, stderr) = await InvokeAsync(flag, value);

        Assert.Equal(1, exit);
        Assert.Null(options);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("Information", LogLevel.Information)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("Warning", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("critical", LogLevel.Critical)]
    [InlineData("none", LogLevel.None)]
    public void Level_names_of_controller_runtime_and_of_dotnet_are_understood(string text, LogLevel level)
    {
        var levels = LogLevels.TryParse(text, out var error);

        Assert.Null(error);
        Assert.Equal(level, levels!.Default);
    }

    [Theory]
    [InlineData("=debug")]
    [InlineData("Some.Category=loud")]
    public void A_malformed_override_is_refused(string text)
    {
        Assert.Null(LogLevels.TryParse(text, out var error));
        Assert.NotNull(error);
    }

    private static async Task<(int Exit, OperatorOptions? Options, string Stderr)> InvokeAsync(params string[] args)
    {
        OperatorOptions? seen = null;
        var command = CommandLine.Build((options, _) =>
        {
            seen = options;
            return Task.FromResult(0);
        });
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await command.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, seen, stderr.ToString());
    }
}
