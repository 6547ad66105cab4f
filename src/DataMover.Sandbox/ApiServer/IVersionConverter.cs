using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>Converts an object between the version a client speaks and the version kept in the store.</summary>
internal interface IVersionConverter
{
    JsonObject ToStorage(JsonObject external);

    JsonObject FromStorage(JsonObject stored);
}
