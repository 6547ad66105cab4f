using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Tables;

/// <summary>A Table column definition plus how to compute its cell from an object.</summary>
internal sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority, Func<JsonObject, JsonNode?> Cell)
{
    public JsonObject Definition() => new()
    {
        ["name"] = Name,
        ["type"] = Type,
        ["format"] = Format,
        ["description"] = Description,
        ["priority"] = Priority,
    };
}
