using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataMover.Kube.Models;

/// <summary>
/// Base of every API model. Fields the model does not know are kept in <see cref="Extra"/>
/// so that a read-modify-write never erases what a newer server or another controller wrote.
/// </summary>
public abstract record KubeModel
{
    /// <summary>Fields this model does not declare, preserved verbatim.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
