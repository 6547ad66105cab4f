using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace DataMover.Sandbox.Tests;

/// <summary>Reads a watch response line by line into a channel of events.</summary>
public sealed class WatchStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly Task _pump;

    private WatchStream(HttpResponseMessage response)
    {
        Response = response;
        _pump = PumpAsync();
    }

    public HttpResponseMessage Response { get; }

    public static async Task<WatchStream> OpenAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path.TrimStart('/'), HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new WatchStream(response);
    }

    /// <summary>The next event, or null when the server ended the stream.</summary>
    public async Task<JsonObject?> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public Task Completion => _pump;

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        Response.Dispose();
        try
        {
            await _pump;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
        }

        _cts.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            using var reader = new StreamReader(await Response.Content.ReadAsStreamAsync(_cts.Token));
            while (await reader.ReadLineAsync(_cts.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    await _events.Writer.WriteAsync(JsonNode.Parse(line)!.AsObject(), _cts.Token);
                }
            }
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }
}
