namespace Rethink.Data.Coco;

/// <summary>An entry of the optional "licenses" list.</summary>
public sealed record CocoLicense(long Id, string Name, string? Url = null);
