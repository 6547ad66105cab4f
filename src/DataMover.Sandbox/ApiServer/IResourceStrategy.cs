using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>Per-kind behaviour of the registry: defaulting, status reset, validation (like the apiserver's RESTCreateStrategy/RESTUpdateStrategy).</summary>
internal interface IResourceStrategy
{
    /// <summary>Applies defaults and resets fields a create may not set.</summary>
    void PrepareForCreate(ResourceType type, JsonObject obj);

    /// <summary>Applies defaults on update and restores fields an update may not change.</summary>
    void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old);

    void Validate(ResourceType type, JsonObject obj, List<FieldError> errors);

    void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors);
}
