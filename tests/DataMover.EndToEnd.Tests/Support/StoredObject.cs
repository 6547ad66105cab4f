namespace DataMover.EndToEnd.Tests.Support;

/// <summary>An object as listed by <see cref="S3Server.ListObjectsAsync"/>; ETag without quotes.</summary>
internal sealed record StoredObject(string Key, long Size, string ETag);
