using System.Text.Json;
using DataMoverResource = DataMover.Operator.Api.DataMover;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>A backup's .datamover-manifest.json as the mover wrote it (docs/mover-protocol.md), read field by field.</summary>
internal sealed class BackupManifest
{
    private readonly JsonElement _root;
    private readonly string _text;

    private BackupManifest(JsonElement root, string text)
    {
        _root = root;
        _text = text;
    }

    public static BackupManifest Parse(byte[] content)
    {
        var text = System.Text.Encoding.UTF8.GetString(content);
        using var document = JsonDocument.Parse(content);
        return new BackupManifest(document.RootElement.Clone(), text);
    }

    public string Folder => String("folder");

    public DateTimeOffset EndTime => DateTimeOffset.Parse(String("endTime"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Fails unless the manifest is a format-1 backup record of <paramref name="dataMover"/> (name, namespace, uid,
    /// source PVC, spec.path and the folder in its status) counting <paramref name="files"/> files of
    /// <paramref name="bytes"/> bytes.
    /// </summary>
    public void AssertDescribes(DataMoverResource dataMover, long files, long bytes)
    {
        var context = $"manifest of {dataMover.Metadata.Namespace}/{dataMover.Metadata.Name}: {_text}";
        Assert.True(_root.GetProperty("formatVersion").GetInt32() == 1, context);
        Assert.True(String("kind") == "DataMoverBackup", context);
        var owner = _root.GetProperty("dataMover");
        Assert.True(owner.GetProperty("name").GetString() == dataMover.Metadata.Name, "name in the " + context);
        Assert.True(owner.GetProperty("namespace").GetString() == dataMover.Metadata.Namespace, "namespace in the " + context);
        Assert.True(owner.GetProperty("uid").GetString() == dataMover.Metadata.Uid, "uid in the " + context);
        Assert.True(String("sourcePvc") == dataMover.Spec!.SourcePvc, "sourcePvc in the " + context);
        Assert.True(String("path") == (dataMover.Spec.Path ?? ""), "path in the " + context);
        Assert.True(Folder == (dataMover.Status?.DestinationPrefix ?? ""), $"folder (status.destinationPrefix {dataMover.Status?.DestinationPrefix}) in the " + context);
        Assert.True(String("verified") == "hash", "verified in the " + context);
        Assert.True(_root.GetProperty("files").GetInt64() == files, $"files (expected {files}) in the " + context);
        Assert.True(_root.GetProperty("bytes").GetInt64() == bytes, $"bytes (expected {bytes}) in the " + context);
    }

    private string String(string property) => _root.GetProperty(property).GetString() ?? "";
}
