namespace DataMover.Sandbox.ApiServer;

/// <summary>Which metadata.name syntax a kind enforces.</summary>
internal enum NameRule
{
    Subdomain,
    Label,
    PathSegment,
}
