using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>Custom resources: status dropped on create when /status exists; schema and CEL validation.</summary>
internal sealed class CustomResourceStrategy : ResourceStrategy
{
    private readonly SchemaValidator _validator;

    public CustomResourceStrategy(SchemaValidator validator) => _validator = validator;

    public override void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        if (type.HasStatus)
        {
            obj.Remove("status");
        }
    }

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        if (type.Custom?.Schema is { } schema)
        {
            _validator.Validate(obj, null, schema, errors);
        }
    }

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        if (type.Custom?.Schema is { } schema)
        {
            _validator.Validate(obj, old, schema, errors);
        }
    }
}
