using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace DataMover.EndToEnd.Tests.Support;

/// <summary>
/// A real S3-compatible server (s3rver, installed by scripts/prereqs.sh) on a free loopback
/// port with its own temporary storage directory, plus an S3 client to prepare buckets and
/// inspect what landed. Dispose to stop the server and delete its storage.
/// </summary>
/// <remarks>
/// s3rver accepts only its built-in account (<see cref="AccessKeyId"/>/<see cref="SecretAccessKey"/>).
/// An unknown access key id is refused with InvalidAccessKeyId, but SigV4 signatures are not
/// verified, so a wrong secret key with the right key id is accepted.
/// </remarks>
internal sealed partial class S3Server : IAsyncDisposable
{
    public const string AccessKeyId = "S3RVER";
    public const string SecretAccessKey = "S3RVER";
    public const string Region = "us-east-1";
    public const string Host = "127.0.0.1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _storageDirectory;
    private readonly ServerProcessOutput _output;
    private readonly AmazonS3Client _client;

    private S3Server(Process process, string storageDirectory, ServerProcessOutput output, int port)
    {
        _process = process;
        _storageDirectory = storageDirectory;
        _output = output;
        Port = port;
        Endpoint = new Uri($"http://{Host}:{port.ToString(CultureInfo.InvariantCulture)}");
        var config = new AmazonS3Config
        {
            ServiceURL = Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = Region,
            // s3rver does not understand the SDK's default streaming (aws-chunked) checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        _client = new AmazonS3Client(new BasicAWSCredentials(AccessKeyId, SecretAccessKey), config);
    }

    /// <summary>Port the server listens on (plain HTTP, so TLS_HOST=false for the mover).</summary>
    public int Port { get; }

    /// <summary>Base URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Endpoint { get; }

    /// <summary>A client for the server; path-style, with s3rver's credentials.</summary>
    public IAmazonS3 Client => _client;

    /// <summary>Starts s3rver and returns once it accepts connections.</summary>
    public static async Task<S3Server> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = RepoPaths.S3rverExecutable;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} not found; run scripts/prereqs.sh first.");
        }

        var storage = Directory.CreateTempSubdirectory("datamover-s3rver-").FullName;
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // s3rver encrypts list continuation tokens with DES, which OpenSSL 3 (Node 17+) only
        // offers through the legacy provider; without it every listing past 1000 keys fails.
        var nodeOptions = Environment.GetEnvironmentVariable("NODE_OPTIONS");
        startInfo.Environment["NODE_OPTIONS"] = string.IsNullOrEmpty(nodeOptions)
            ? "--openssl-legacy-provider"
            : $"{nodeOptions} --openssl-legacy-provider";
        // Port 0: the kernel picks a free port and s3rver prints it, so there is no port race.
        foreach (var argument in new[] { "--directory", storage, "--address", Host, "--port", "0", "--silent" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var output = new ServerProcessOutput(process, "s3rver", ListeningLine());
        S3Server? server = null;
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(StartTimeout);
            var port = await output.Port.WaitAsync(deadline.Token);
            server = new S3Server(process, storage, output, port);
            // The listening line means the socket is open; one authenticated call proves the
            // S3 API and the credentials work before any test relies on them.
            await server._client.ListBucketsAsync(deadline.Token);
            return server;
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or AmazonServiceException)
        {
            server?._client.Dispose();
            ServerProcessOutput.Stop(process);
            process.Dispose();
            Directory.Delete(storage, recursive: true);
            throw new InvalidOperationException(
                $"s3rver did not start (or answer) within {StartTimeout.TotalSeconds:0}s:\n{output.Text}", ex);
        }
    }

    /// <summary>Creates a bucket (an S3 bucket name: lowercase letters, digits, '-').</summary>
    public async Task CreateBucketAsync(string bucket, CancellationToken cancellationToken = default) =>
        await _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken);

    /// <summary>Uploads a small object, e.g. to pre-populate a destination; metadata names without "x-amz-meta-".</summary>
    public async Task PutObjectAsync(
        string bucket,
        string key,
        string content,
        IReadOnlyDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = content };
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            request.Metadata.Add(name, value);
        }

        await _client.PutObjectAsync(request, cancellationToken);
    }

    /// <summary>All objects under <paramref name="prefix"/> (recursive, every page), ordered by key.</summary>
    public async Task<IReadOnlyList<StoredObject>> ListObjectsAsync(
        string bucket, string prefix = "", CancellationToken cancellationToken = default)
    {
        var objects = new List<StoredObject>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        while (true)
        {
            var response = await _client.ListObjectsV2Async(request, cancellationToken);
            // SDK v4 leaves empty collections null.
            foreach (var item in response.S3Objects ?? [])
            {
                objects.Add(new StoredObject(item.Key, item.Size ?? 0, item.ETag?.Trim('"') ?? ""));
            }

            if (response.IsTruncated != true)
            {
                break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }

        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return objects;
    }

    /// <summary>Whether the bucket exists (s3rver answers HEAD bucket with 404 otherwise).</summary>
    public async Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.GetBucketLocationAsync(bucket, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>An object's full content.</summary>
    public async Task<byte[]> ReadObjectAsync(string bucket, string key, CancellationToken cancellationToken = default)
    {
        using var response = await _client.GetObjectAsync(bucket, key, cancellationToken);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>SHA-256 (lowercase hex) of an object's content, streamed rather than buffered.</summary>
    public async Task<string> Sha256Async(string bucket, string key, CancellationToken cancellationToken = default)
    {
        using var response = await _client.GetObjectAsync(bucket, key, cancellationToken);
        var hash = await SHA256.HashDataAsync(response.ResponseStream, cancellationToken);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>What s3rver printed so far (errors only, since it runs with --silent).</summary>
    public string Output => _output.Text;

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        ServerProcessOutput.Stop(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_storageDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail the test run.
        }
    }

    [GeneratedRegex(@"S3rver listening on .*:(?<port>\d+)\s*$")]
    private static partial Regex ListeningLine();
}
