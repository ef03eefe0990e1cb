namespace Rethink.Data.Coco;

/// <summary>The optional "info" block of a COCO file.</summary>
public sealed record CocoInfo(
    string? Description = null,
    string? Url = null,
    string? Version = null,
    int? Year = null,
    string? Contributor = null,
    string? DateCreated = null);
