namespace DataMover.Kube.Models;

/// <summary>The type of a watch event.</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
}

/// <summary>One event of a watch stream. For bookmarks only <c>Object.Metadata.ResourceVersion</c> is meaningful.</summary>
public sealed record WatchEvent<T>(WatchEventType Type, T Object) where T : KubeObject;
